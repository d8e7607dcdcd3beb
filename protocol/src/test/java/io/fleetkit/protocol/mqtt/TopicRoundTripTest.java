package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.ModuleId;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RequestId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Strings sent or accepted by the Azure IoT Java SDK (device client 2.5.0, provisioning client 2.1.3). */
class TopicRoundTripTest {
    static final String TELEMETRY = "devices/dev-001/messages/events/$.mid=msg-0001&$.cid=corr-1&$.cdid=dev-001"
            + "&$.ce=utf-8&$.ct=application%2Fjson&alert=false&sensor%20type=a%2Fb%26c%3Dd";
    static final String C2D = "devices/dev-001/messages/devicebound/%24.mid=c2d-1"
            + "&%24.to=%2Fdevices%2Fdev-001%2Fmessages%2Fdevicebound&color=blue";

    @ParameterizedTest
    @ValueSource(strings = {
            TELEMETRY,
            "devices/dev-001/messages/events/",
            "devices/dev-001/modules/filter-1/messages/events/$.ct=application%2Fjson",
            C2D,
            "devices/dev-001/messages/devicebound/",
            "$iothub/methods/POST/reboot/?$rid=42",
            "$iothub/methods/res/200/?$rid=42",
            "$iothub/twin/GET/?$rid=7",
            "$iothub/twin/PATCH/properties/reported/?$rid=8",
            "$iothub/twin/res/204/?$rid=8&$version=8",
            "$iothub/twin/res/200/?$rid=7",
            "$iothub/twin/PATCH/properties/desired/?$version=4",
            "$dps/registrations/PUT/iotdps-register/?$rid=1",
            "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=4.abc",
            "$dps/registrations/res/202/?$rid=1&retry-after=3",
            "$dps/registrations/res/200/?$rid=2",
    })
    void formatsBackByteIdentically(String topic) {
        assertThat(Topic.parse(topic).format()).isEqualTo(topic);
    }

    @Test
    void telemetryParsesToTheRightValues() {
        TelemetryTopic t = (TelemetryTopic) Topic.parse(TELEMETRY);
        assertThat(t.deviceId()).isEqualTo(DeviceId.of("dev-001"));
        assertThat(t.moduleId()).isEmpty();
        assertThat(t.direction()).isEqualTo(Topic.Direction.DEVICE_TO_CLOUD);
        PropertyBag bag = t.properties();
        assertThat(bag.get(SystemProperty.MESSAGE_ID)).contains("msg-0001");
        assertThat(bag.get(SystemProperty.CORRELATION_ID)).contains("corr-1");
        assertThat(bag.get(SystemProperty.CONNECTION_DEVICE_ID)).contains("dev-001");
        assertThat(bag.get(SystemProperty.CONTENT_ENCODING)).contains("utf-8");
        assertThat(bag.get(SystemProperty.CONTENT_TYPE)).contains("application/json");
        assertThat(bag.applicationProperties()).containsExactly(entry("alert", "false"), entry("sensor type", "a/b&c=d"));
        assertThat(bag.get("sensor type")).contains("a/b&c=d");
    }

    @Test
    void moduleTelemetry() {
        TelemetryTopic t = (TelemetryTopic) Topic.parse("devices/dev-001/modules/filter-1/messages/events/");
        assertThat(t.moduleId()).contains(ModuleId.of("filter-1"));
        assertThat(t.properties().isEmpty()).isTrue();
    }

    @Test
    void cloudToDeviceParsesEncodedSystemKeys() {
        DeviceboundTopic t = (DeviceboundTopic) Topic.parse(C2D);
        assertThat(t.deviceId().value()).isEqualTo("dev-001");
        assertThat(t.properties().get(SystemProperty.MESSAGE_ID)).contains("c2d-1");
        assertThat(t.properties().get(SystemProperty.TO)).contains("/devices/dev-001/messages/devicebound");
        assertThat(t.properties().applicationProperties()).containsExactly(entry("color", "blue"));
        assertThat(t.direction()).isEqualTo(Topic.Direction.CLOUD_TO_DEVICE);
    }

    @Test
    void methodsTwinAndDpsParseToTheRightValues() {
        assertThat(Topic.parse("$iothub/methods/POST/reboot/?$rid=42"))
                .isEqualTo(new MethodRequestTopic(MethodName.of("reboot"), RequestId.of("42")));
        assertThat(Topic.parse("$iothub/methods/res/200/?$rid=42"))
                .isEqualTo(new MethodResponseTopic(200, RequestId.of("42")));
        assertThat(Topic.parse("$iothub/twin/res/204/?$rid=9&$version=8"))
                .isEqualTo(new TwinResponseTopic(204, RequestId.of("9"), OptionalLong.of(8)));
        assertThat(Topic.parse("$iothub/twin/PATCH/properties/desired/?$version=4"))
                .isEqualTo(new TwinDesiredPatchTopic(4));
        assertThat(Topic.parse("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=4.abc"))
                .isEqualTo(new DpsOperationStatusTopic(RequestId.of("2"), OperationId.of("4.abc")));
        assertThat(Topic.parse("$dps/registrations/res/202/?$rid=1&retry-after=3"))
                .isEqualTo(new DpsResponseTopic(202, RequestId.of("1"), OptionalInt.of(3)));
        assertThat(Topic.parse("$dps/registrations/res/429/?retry-after=3&$rid=1").format())
                .as("parameters in another order format canonically")
                .isEqualTo("$dps/registrations/res/429/?$rid=1&retry-after=3");
    }

    @Test
    void formattedFromValues() {
        PropertyBag bag = PropertyBag.builder()
                .put(SystemProperty.MESSAGE_ID, "m 1")
                .put(SystemProperty.CONTENT_TYPE, "application/json")
                .put("type", "telemetry")
                .put("ünits", "°C")
                .build();
        assertThat(new TelemetryTopic(DeviceId.of("dev-9"), bag).format())
                .isEqualTo("devices/dev-9/messages/events/$.mid=m%201&$.ct=application%2Fjson&type=telemetry"
                        + "&%C3%BCnits=%C2%B0C");
        assertThat(new DeviceboundTopic(DeviceId.of("dev-9"), bag).format())
                .startsWith("devices/dev-9/messages/devicebound/%24.mid=m%201&%24.ct=application%2Fjson");
        assertThat(Topic.parse(new TelemetryTopic(DeviceId.of("dev-9"), bag).format()))
                .isEqualTo(new TelemetryTopic(DeviceId.of("dev-9"), Optional.empty(), bag));
    }

    @Test
    void plusDecodesAsSpaceAndFormatsCanonically() {
        TelemetryTopic t = (TelemetryTopic) Topic.parse("devices/d/messages/events/a+b=c%2fd");
        assertThat(t.properties().applicationProperties()).isEqualTo(Map.of("a b", "c/d"));
        assertThat(t.format()).isEqualTo("devices/d/messages/events/a%20b=c%2Fd");
    }
}

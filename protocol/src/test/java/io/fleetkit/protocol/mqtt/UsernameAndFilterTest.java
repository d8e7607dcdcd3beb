package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.id.RequestId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsernameAndFilterTest {
    static final String HUB = "127.0.0.1/dev-001/?api-version=2020-09-30&DeviceClientType="
            + "com.microsoft.azure.sdk.iot.iot-device-client%2F2.5.0%20%2817.0.15%3B%20Linux%3B%20amd64%29";
    static final String DPS = "0ne00000001/registrations/dev-001/api-version=2019-03-31&ClientVersion=2019-03-31";

    @ParameterizedTest
    @ValueSource(strings = {HUB, HUB + "&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1", DPS,
            "contoso.azure-devices.net/dev-001/edge-mod/?api-version=2020-09-30"})
    void usernamesFormatBackByteIdentically(String username) {
        assertThat(MqttUsername.parse(username).format()).isEqualTo(username);
    }

    @Test
    void hubUsernameValues() {
        HubUsername u = (HubUsername) MqttUsername.parse(HUB + "&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1");
        assertThat(u.hubHostName()).isEqualTo(HubHostName.of("127.0.0.1"));
        assertThat(u.deviceId()).isEqualTo(DeviceId.of("dev-001"));
        assertThat(u.moduleId()).isEmpty();
        assertThat(u.apiVersion()).isEqualTo("2020-09-30");
        assertThat(u.deviceClientType()).contains("com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.15; Linux; amd64)");
        assertThat(u.modelId()).contains("dtmi:com:example:Thermostat;1");
        assertThat(HubUsername.of(HubHostName.of("127.0.0.1"), DeviceId.of("dev-001"),
                "com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.15; Linux; amd64)").format()).isEqualTo(HUB);
    }

    @Test
    void dpsUsernameValues() {
        DpsUsername u = (DpsUsername) MqttUsername.parse(DPS);
        assertThat(u.idScope()).isEqualTo(IdScope.DEFAULT);
        assertThat(u.registrationId()).isEqualTo(RegistrationId.of("dev-001"));
        assertThat(u.apiVersion()).isEqualTo("2019-03-31");
        assertThat(DpsUsername.of(IdScope.DEFAULT, RegistrationId.of("dev-001")).format()).isEqualTo(DPS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1/dev-001/ | index 18: expected module id followed by '/'",
            "127.0.0.1/dev-001/?DeviceClientType=x | index 37: missing parameter 'api-version'",
            "127.0.0.1/dev 1/?api-version=1 | index 10: invalid device id",
            "127..1/dev-001/?api-version=1 | index 0: invalid hub host name '127..1' at index 4: empty label",
            "127.0.0.1/dev-001/?api-version=2020&x | index 36: parameter 'x' has no '=' and value",
            "0ne00000001/registrations/Dev-001/api-version=2019-03-31 | index 26: invalid registration id 'Dev-001' at index 0",
            "0ne00000001/registrations/dev-001/ClientVersion=1 | index 49: missing parameter 'api-version'",
            "0neXYZ/registrations/dev-001/api-version=1 | index 0: invalid id scope",
            "dev-001 | index 0: expected hub host name followed by '/'",
    })
    void malformedUsernames(String username, String expected) {
        assertThatThrownBy(() -> MqttUsername.parse(username.strip()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid username '")
                .hasMessageContaining(expected.strip());
        assertThatThrownBy(() -> MqttUsername.parse(null)).hasMessageContaining("CONNECT carried no username");
    }

    @ParameterizedTest
    @ValueSource(strings = {"devices/dev-001/messages/devicebound/#", "$iothub/methods/POST/#", "$iothub/twin/res/#",
            "$iothub/twin/PATCH/properties/desired/#", "$dps/registrations/res/#"})
    void filtersRoundTrip(String filter) {
        assertThat(TopicFilter.parse(filter).format()).isEqualTo(filter);
    }

    @Test
    void filtersMatchTheirTopics() {
        TopicFilter devicebound = TopicFilter.parse("devices/dev-001/messages/devicebound/#");
        assertThat(devicebound).isEqualTo(new TopicFilter.Devicebound(DeviceId.of("dev-001")));
        assertThat(devicebound.matches(new DeviceboundTopic(DeviceId.of("dev-001"), PropertyBag.EMPTY))).isTrue();
        assertThat(devicebound.matches(new DeviceboundTopic(DeviceId.of("dev-002"), PropertyBag.EMPTY))).isFalse();
        MethodRequestTopic call = new MethodRequestTopic(MethodName.of("reboot"), RequestId.of("1"));
        assertThat(TopicFilter.Fixed.METHOD_REQUESTS.matches(call)).isTrue();
        assertThat(TopicFilter.Fixed.TWIN_RESPONSES.matches(call)).isFalse();
        assertThat(TopicFilter.Fixed.DPS_RESPONSES.matches(Topic.parse("$dps/registrations/res/200/?$rid=1"))).isTrue();
        assertThat(new TelemetryTopic(DeviceId.of("d"), Optional.empty(), PropertyBag.EMPTY).direction())
                .isEqualTo(Topic.Direction.DEVICE_TO_CLOUD);
    }

    @Test
    void unsupportedFilters() {
        assertThatThrownBy(() -> TopicFilter.parse("#")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid topic filter '#': not a filter the hub or DPS supports; expected devices/{deviceId}");
        assertThatThrownBy(() -> TopicFilter.parse("devices/a b/messages/devicebound/#"))
                .hasMessageContaining("at index 8: invalid device id 'a b'");
        assertThatThrownBy(() -> TopicFilter.parse("devices/other/messages/events/#")).hasMessageContaining("not a filter");
    }
}

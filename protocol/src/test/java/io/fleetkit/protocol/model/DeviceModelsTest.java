package io.fleetkit.protocol.model;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.method.ReferenceMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceModelsTest {

    @Test
    void builtInModelsLoad() {
        DeviceModel thermostat = DeviceModels.builtIn("thermostat");
        assertThat(thermostat.telemetryInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(thermostat.telemetry()).extracting(TelemetryField::name)
                .containsExactly("temperature", "humidity", "targetTemperature", "heating", "batteryPercent");
        assertThat(thermostat.telemetry().get(0).generator()).isEqualTo(new Generator.RandomWalk(21, 15, 28, 0.2));
        for (ReferenceMethod m : ReferenceMethod.values()) {
            assertThat(thermostat.method(m.methodName())).as(m.name()).isPresent();
        }
        assertThat(thermostat.method(MethodName.of("setTargetTemperature")).orElseThrow().response()).isPresent();
        DeviceModel plug = DeviceModels.resolve("smart-plug");
        assertThat(plug.telemetry()).extracting(f -> f.generator().getClass().getSimpleName())
                .containsExactly("RandomWalk", "Sine", "Counter", "Constant", "Constant");
        assertThat(DeviceModels.CODEC.fromJson(DeviceModels.CODEC.toJson(plug))).isEqualTo(plug);
    }

    private static final String BASE = "{\"v\":1,\"id\":\"m\",\"name\":\"M\",\"firmwareVersion\":\"1.0\",\"telemetryIntervalSeconds\":10,";

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"telemetry\":[],\"methods\":[]} | at $.telemetry: expected 1 to 64 elements, found 0",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"randomWalk\",\"start\":5,\"min\":10,\"max\":0,\"step\":1}}],\"methods\":[]} | at $.telemetry[0].generator: min, max: min must be below max, were 10.0 and 0.0",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"decimal\",\"generator\":{\"kind\":\"constant\",\"value\":1}}],\"methods\":[]} | at $.telemetry[0].type: 'decimal' is not one of number, integer, boolean, string",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"boolean\",\"generator\":{\"kind\":\"sine\",\"mean\":1,\"amplitude\":1,\"periodSeconds\":1}}],\"methods\":[]} | at $.telemetry[0]: generator: a sine generator cannot feed the boolean field 't'",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"noise\"}}],\"methods\":[]} | at $.telemetry[0].generator.kind: expected one of randomWalk, sine, counter, constant, found \"noise\"",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"counter\",\"start\":0}}],\"methods\":[]} | at $.telemetry[0].generator: missing required member 'step'",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"constant\",\"value\":1}},{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"constant\",\"value\":2}}],\"methods\":[]} | at $: telemetry[1]: a second field named 't'",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"constant\",\"value\":1}}],\"methods\":[{\"name\":\"open\"}]} | at $.methods[0]: response: 'open' is not a reference method",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"constant\",\"value\":1}}],\"methods\":[{\"name\":\"a/b\"}]} | at $.methods[0].name: invalid method name 'a/b' at index 1",
            "\"telemetry\":[{\"name\":\"t\",\"type\":\"number\",\"generator\":{\"kind\":\"constant\",\"value\":1}}],\"methods\":[],\"colour\":1} | at $.colour: unknown member 'colour'",
    })
    void invalidModelsAreRejectedWithFieldAndReason(String rest, String expected) {
        assertThatThrownBy(() -> DeviceModels.parse((BASE + rest.strip()).getBytes(StandardCharsets.UTF_8), "m.json"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid device model 'm.json' ")
                .hasMessageContaining(expected.strip());
    }

    @Test
    void missingFilesAndUnknownBuiltIns() {
        assertThatThrownBy(() -> DeviceModels.load(Path.of("no/such/model.json")))
                .hasMessage("no/such/model.json: no such device model file; built-in models are thermostat, smart-plug");
        assertThatThrownBy(() -> DeviceModels.builtIn("toaster"))
                .hasMessage("no built-in device model 'toaster'; built-in models are thermostat, smart-plug");
        assertThatThrownBy(() -> DeviceModels.parse("{".getBytes(StandardCharsets.UTF_8), "broken.json"))
                .hasMessageStartingWith("invalid device model 'broken.json' at line 1, column 2:");
    }
}

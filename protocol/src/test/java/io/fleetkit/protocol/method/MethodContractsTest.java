package io.fleetkit.protocol.method;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MethodContractsTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRequestAndResponseRoundTrips() {
        List<MethodRequest> requests = List.of(new MethodRequest.Reboot(5), new MethodRequest.SetTelemetryInterval(30),
                new MethodRequest.Identify(10), new MethodRequest.GetDiagnostics(),
                new MethodRequest.StartClaim("n0nce-0123456789ab", 60), new MethodRequest.FactoryReset(true));
        List<MethodResponse> responses = List.of(new MethodResponse.Reboot(5), new MethodResponse.SetTelemetryInterval(30, 60),
                new MethodResponse.Identify(10),
                new MethodResponse.GetDiagnostics("1.4.2", "thermostat", 3600, 120_000, -67, ResetReason.POWER_ON, 60, 61),
                new MethodResponse.StartClaim(60), new MethodResponse.FactoryReset(1));
        for (int i = 0; i < requests.size(); i++) {
            var contract = MethodContracts.of(requests.get(i).method());
            assertThat(contract.request().fromJson(contract.request().toJson(requests.get(i)))).isEqualTo(requests.get(i));
            assertThat(contract.response().fromCbor(contract.response().toCbor(responses.get(i)))).isEqualTo(responses.get(i));
        }
    }

    @Test
    void emptyOrNullPayloadMeansDefaults() {
        assertThat(MethodContracts.decodeRequest(ReferenceMethod.REBOOT, new byte[0])).isEqualTo(new MethodRequest.Reboot(0));
        assertThat(MethodContracts.decodeRequest(ReferenceMethod.IDENTIFY, utf8("null"))).isEqualTo(new MethodRequest.Identify(10));
        assertThat(MethodContracts.decodeRequest(ReferenceMethod.GET_DIAGNOSTICS, utf8("{}"))).isEqualTo(new MethodRequest.GetDiagnostics());
        assertThat(MethodContracts.of(MethodName.of("setTelemetryInterval"))).isPresent();
        assertThat(MethodContracts.of(MethodName.of("selfDestruct"))).isEmpty();
    }

    @Test
    void badPayloadsNameThePathAndReason() {
        assertThatThrownBy(() -> MethodContracts.decodeRequest(ReferenceMethod.SET_TELEMETRY_INTERVAL, utf8("{\"intervalSeconds\":0}")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("invalid JSON document at $.intervalSeconds: expected an integer from 1 to 86400, found 0");
        assertThatThrownBy(() -> MethodContracts.decodeRequest(ReferenceMethod.SET_TELEMETRY_INTERVAL, new byte[0]))
                .hasMessage("invalid JSON document at $: missing required member 'intervalSeconds'");
        assertThatThrownBy(() -> MethodContracts.decodeRequest(ReferenceMethod.FACTORY_RESET, utf8("{\"confirm\":false}")))
                .hasMessage("invalid JSON document at $: confirm: must be true to reset the device to factory state");
        assertThatThrownBy(() -> MethodContracts.decodeRequest(ReferenceMethod.START_CLAIM, utf8("{\"nonce\":\"short\"}")))
                .hasMessage("invalid JSON document at $.nonce: expected a string of 16 to 128 characters, found one of 5");
        assertThatThrownBy(() -> MethodContracts.decodeRequest(ReferenceMethod.REBOOT, new byte[128 * 1024 + 1]))
                .hasMessageContaining("at most 131072 are allowed");
    }

    @Test
    void errorPayload() {
        MethodError e = new MethodError(MethodError.Code.UNKNOWN_METHOD, "no method 'selfDestruct'");
        assertThat(new String(MethodContracts.ERROR_CODEC.toJson(e), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"unknownMethod\",\"message\":\"no method 'selfDestruct'\"}");
        assertThat(e.error().status()).isEqualTo(404);
    }
}

package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DpsCodecsTest {
    static final Instant T = Instant.parse("2026-11-26T09:30:00Z");

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void registerRequestPayloadAsObjectOrString() {
        RegisterRequest plain = DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\"}"));
        assertThat(plain).isEqualTo(RegisterRequest.of(RegistrationId.of("dev-001")));
        RegisterRequest object = DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\",\"payload\":{\"model\":\"thermostat\"}}"));
        RegisterRequest string = DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\",\"payload\":\"{\\\"model\\\":\\\"thermostat\\\"}\"}"));
        assertThat(object.payloadJson()).contains("{\"model\":\"thermostat\"}");
        assertThat(string).isEqualTo(object);
        RegisterRequest opaque = DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\",\"payload\":\"hello\"}"));
        assertThat(opaque.payloadJson()).contains("\"hello\"");
        assertThat(DpsCodecs.REGISTER_REQUEST.fromJson(DpsCodecs.REGISTER_REQUEST.toJson(object))).isEqualTo(object);
        assertThat(DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\",\"tpm\":{\"endorsementKey\":\"x\"}}")))
                .as("members fleetkit does not model are ignored").isEqualTo(plain);
    }

    @Test
    void badRegisterRequests() {
        assertThatThrownBy(() -> DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"Dev-001\"}")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid JSON document at $.registrationId: invalid registration id 'Dev-001' at index 0");
        assertThatThrownBy(() -> DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"payload\":{}}")))
                .hasMessage("invalid JSON document at $: missing required member 'registrationId'");
        assertThatThrownBy(() -> DpsCodecs.REGISTER_REQUEST.fromJson(utf8("{\"registrationId\":\"dev-001\",\"payload\":42}")))
                .hasMessage("invalid JSON document at $.payload: expected a JSON object or a string, found an integer");
    }

    @Test
    void operationStatusRoundTrips() {
        RegistrationOperation assigning = RegistrationOperation.assigning(OperationId.of("4.abc"));
        assertThat(new String(DpsCodecs.OPERATION.toJson(assigning), StandardCharsets.UTF_8))
                .isEqualTo("{\"operationId\":\"4.abc\",\"status\":\"assigning\"}");
        RegistrationOperation assigned = RegistrationOperation.done(OperationId.of("4.abc"), RegistrationState.assigned(
                RegistrationId.of("dev-001"), "127.0.0.1", DeviceId.of("dev-001"), Substatus.INITIAL_ASSIGNMENT, T, T, "\"1\""));
        assertThat(new String(DpsCodecs.OPERATION.toJson(assigned), StandardCharsets.UTF_8)).isEqualTo(
                "{\"operationId\":\"4.abc\",\"status\":\"assigned\",\"registrationState\":{\"registrationId\":\"dev-001\","
                        + "\"createdDateTimeUtc\":\"2026-11-26T09:30:00Z\",\"assignedHub\":\"127.0.0.1\",\"deviceId\":\"dev-001\","
                        + "\"status\":\"assigned\",\"substatus\":\"initialAssignment\",\"lastUpdatedDateTimeUtc\":\"2026-11-26T09:30:00Z\","
                        + "\"etag\":\"\\\"1\\\"\"}}");
        assertThat(DpsCodecs.OPERATION.fromJson(DpsCodecs.OPERATION.toJson(assigned))).isEqualTo(assigned);
        RegistrationOperation failed = RegistrationOperation.done(OperationId.of("4.abd"),
                RegistrationState.failed(RegistrationId.of("dev-002"), 404201, "no enrollment for dev-002", T));
        assertThat(DpsCodecs.OPERATION.fromJson(DpsCodecs.OPERATION.toJson(failed))).isEqualTo(failed);
    }

    @Test
    void errorBody() {
        DpsError e = new DpsError(429001, "t-1", "throttled", T);
        assertThat(DpsCodecs.ERROR.fromJson(DpsCodecs.ERROR.toJson(e))).isEqualTo(e);
        assertThat(e.status()).isEqualTo(429);
        assertThatThrownBy(() -> DpsCodecs.ERROR.fromJson(utf8("{\"errorCode\":42,\"trackingId\":\"\",\"message\":\"\",\"timestampUtc\":\"2026-11-26T09:30:00Z\"}")))
                .hasMessage("invalid JSON document at $.errorCode: expected an integer from 100000 to 599999, found 42");
    }
}

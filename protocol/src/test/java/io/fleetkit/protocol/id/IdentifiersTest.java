package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev-001", "A", "x.y+z%_#*?!(),:=@$'", "Thermostat-42"})
    void acceptsDeviceIdsInAzuresCharset(String id) {
        assertThat(DeviceId.of(id).value()).isEqualTo(id);
    }

    @Test
    void deviceIdErrorNamesCharacterAndPosition() {
        assertThatThrownBy(() -> DeviceId.of("dev 001"))
                .isInstanceOf(ProtocolException.class)
                // the client's fault, never confused with a programming error's IllegalArgumentException
                .isNotInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).kind()).isEqualTo(io.fleetkit.protocol.FleetkitException.Kind.INVALID_INPUT))
                .hasMessage("invalid device id 'dev 001' at index 3: character U+0020 is not allowed; "
                        + "allowed are ASCII letters, digits and - . + % _ # * ? ! ( ) , : = @ $ '");
        assertThatThrownBy(() -> DeviceId.of("dev/1"))
                .hasMessageContaining("at index 3: character '/' (U+002F) is not allowed");
        assertThatThrownBy(() -> DeviceId.of("déjà"))
                .hasMessageContaining("at index 1: character 'é' (U+00E9)");
    }

    @Test
    void deviceIdLengthAndEmptiness() {
        assertThat(DeviceId.of("a".repeat(128)).value()).hasSize(128);
        assertThatThrownBy(() -> DeviceId.of("a".repeat(129)))
                .hasMessageContaining("is 129 characters long; at most 128 are allowed");
        assertThatThrownBy(() -> DeviceId.of("")).hasMessage("invalid device id '': must not be empty");
        assertThatThrownBy(() -> DeviceId.of(null)).hasMessage("invalid device id: must not be null");
    }

    @Test
    void registrationIdIsLowerCase() {
        assertThat(RegistrationId.of("dev-001.a_b:c").toDeviceId()).isEqualTo(DeviceId.of("dev-001.a_b:c"));
        assertThatThrownBy(() -> RegistrationId.of("Dev-001"))
                .hasMessage("invalid registration id 'Dev-001' at index 0: character 'D' (U+0044) is not allowed; "
                        + "allowed are lower-case ASCII letters, digits and - . _ :");
        assertThatThrownBy(() -> RegistrationId.of("dev+1")).hasMessageContaining("at index 3");
    }

    @Test
    void idScope() {
        assertThat(IdScope.of("0ne000A1B2C").value()).isEqualTo("0ne000A1B2C");
        assertThat(IdScope.DEFAULT.value()).isEqualTo("0ne00000001");
        assertThatThrownBy(() -> IdScope.of("1ne00000001")).hasMessageContaining("at index 0: must start with '0ne'");
        assertThatThrownBy(() -> IdScope.of("0ne0000000G"))
                .hasMessageContaining("at index 10: character 'G' (U+0047) is not a hexadecimal digit");
        assertThatThrownBy(() -> IdScope.of("0ne0001")).hasMessageContaining("is 7 characters long");
    }

    @Test
    void methodName() {
        assertThat(MethodName.of("setTelemetryInterval").value()).isEqualTo("setTelemetryInterval");
        assertThatThrownBy(() -> MethodName.of("a/b")).hasMessageContaining("invalid method name 'a/b' at index 1: character '/'");
        assertThatThrownBy(() -> MethodName.of("run#1")).hasMessageContaining("at index 3: character '#'");
        assertThatThrownBy(() -> MethodName.of("has space")).hasMessageContaining("at index 3: character U+0020");
    }

    @Test
    void hubHostName() {
        assertThat(HubHostName.of("127.0.0.1").value()).isEqualTo("127.0.0.1");
        assertThat(HubHostName.of("contoso-hub.azure-devices.net").value()).isEqualTo("contoso-hub.azure-devices.net");
        assertThatThrownBy(() -> HubHostName.of("hub..net")).hasMessageContaining("at index 4: empty label");
        assertThatThrownBy(() -> HubHostName.of("-hub.net")).hasMessageContaining("at index 0: a label must not start or end with '-'");
        assertThatThrownBy(() -> HubHostName.of("hub_1.net")).hasMessageContaining("at index 3: character '_'");
        assertThatThrownBy(() -> HubHostName.of("a".repeat(64) + ".net")).hasMessageContaining("label is 64 characters long");
    }

    @Test
    void requestAndOperationIds() {
        assertThat(RequestId.of(42).value()).isEqualTo("42");
        assertThat(OperationId.of("4.abc").value()).isEqualTo("4.abc");
        assertThatThrownBy(() -> RequestId.of("1&x=2")).hasMessageContaining("invalid request id '1&x=2' at index 1");
        assertThatThrownBy(() -> OperationId.of("a b")).hasMessageContaining("invalid operation id 'a b' at index 1");
    }
}

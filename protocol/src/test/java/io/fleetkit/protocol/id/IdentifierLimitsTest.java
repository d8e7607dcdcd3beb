package io.fleetkit.protocol.id;

import org.junit.jupiter.api.Test;

import static io.fleetkit.protocol.Limits.accepts;
import static io.fleetkit.protocol.Limits.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Identifier lengths at their edges, and the identifiers as values (text, order). */
class IdentifierLimitsTest {
    @Test
    void lengths() {
        accepts("invalid ", 1, DeviceId.MAX_LENGTH, n -> DeviceId.of(text('d', n)));
        accepts("invalid ", 1, RegistrationId.MAX_LENGTH, n -> RegistrationId.of(text('r', n)));
        accepts("invalid ", 1, MethodName.MAX_LENGTH, n -> MethodName.of(text('m', n)));
        accepts("invalid ", 1, DeviceId.MAX_LENGTH, n -> ModuleId.of(text('m', n)));
    }

    @Test
    void hostNameLabelsAreAtMost63CharactersAndTheNameAtMost253() {
        assertThat(HubHostName.of(text('a', 63) + ".example").toString()).startsWith("aaa");
        assertThatThrownBy(() -> HubHostName.of(text('a', 64) + ".example")).hasMessageContaining("label is 64 characters long");
        assertThatThrownBy(() -> HubHostName.of("example." + text('a', 64))).hasMessageContaining("index 8");
        String longest = String.join(".", text('a', 63), text('b', 63), text('c', 63), text('d', 61)); // 253
        assertThat(HubHostName.of(longest).value()).hasSize(HubHostName.MAX_LENGTH);
        assertThatThrownBy(() -> HubHostName.of(longest + "d")).hasMessageContaining("253");
        assertThatThrownBy(() -> HubHostName.of("a..b")).hasMessageContaining("empty label");
        assertThatThrownBy(() -> HubHostName.of("-a.b")).hasMessageContaining("'-'");
        assertThatThrownBy(() -> HubHostName.of("a-.b")).hasMessageContaining("'-'");
    }

    @Test
    void anIdScopeIsExactlyElevenCharacters() {
        assertThat(IdScope.of("0ne00000001").toString()).isEqualTo("0ne00000001");
        assertThatThrownBy(() -> IdScope.of("0ne0000001")).hasMessageContaining("10 characters long");
        assertThatThrownBy(() -> IdScope.of("0ne000000012")).hasMessageContaining("12");
        assertThatThrownBy(() -> IdScope.of("0ne0000000g")).hasMessageContaining("not a hexadecimal digit");
    }

    @Test
    void identifiersAreTheirTextAndSortByIt() {
        assertThat(DeviceId.of("dev-2").compareTo(DeviceId.of("dev-10"))).isPositive();
        assertThat(DeviceId.of("dev-1").compareTo(DeviceId.of("dev-2"))).isNegative();
        assertThat(RegistrationId.of("b").compareTo(RegistrationId.of("a"))).isPositive();
        assertThat(RegistrationId.of("dev-1").toString()).isEqualTo("dev-1");
        assertThat(HubHostName.of("127.0.0.1").toString()).isEqualTo("127.0.0.1");
    }
}

package io.fleetkit.backend.api;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OperatorClaimTest {
    @Test
    void aScopeStringAListAndANestedClaimEachMatchTheirValue() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("u").claim("scope", "openid fleet.admin profile")
                .claim("roles", List.of("viewer", "fleet-operator")).claim("realm_access", Map.of("roles", List.of("ops"))).build();
        assertThat(OperatorClaim.DEFAULT.matches(claims)).isTrue();
        assertThat(OperatorClaim.parse("roles=fleet-operator").matches(claims)).isTrue();
        assertThat(OperatorClaim.parse("realm_access.roles=ops").matches(claims)).isTrue();
        assertThat(OperatorClaim.parse("roles=fleet").matches(claims)).as("whole values only").isFalse();
        assertThat(OperatorClaim.parse("scope=fleet").matches(claims)).isFalse();
        assertThat(OperatorClaim.parse("groups=ops").matches(claims)).as("an absent claim").isFalse();
        assertThat(OperatorClaim.parse(" roles = ops ")).isEqualTo(new OperatorClaim("roles", "ops"));
        assertThatThrownBy(() -> OperatorClaim.parse("=ops")).hasMessageContaining("expected CLAIM=VALUE");
        assertThatThrownBy(() -> OperatorClaim.parse("roles=")).hasMessageContaining("expected CLAIM=VALUE");
    }
}

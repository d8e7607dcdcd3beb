package io.fleetkit.backend.api;

import com.nimbusds.jwt.JWTClaimsSet;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * Which claim of a token, with which value, makes its caller an operator (who sees every device): {@code scope=fleet.admin}
 * by default, as the dev issuer mints them. The claim may be a space-separated string (OAuth 2.0's {@code scope}), a list
 * ({@code roles}, {@code groups}), and may be nested with dots, e.g. Keycloak's {@code realm_access.roles=fleet-operator}.
 */
public record OperatorClaim(String claim, String value) {
    public static final OperatorClaim DEFAULT = new OperatorClaim("scope", Caller.ADMIN_SCOPE);

    public OperatorClaim {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(value, "value");
        if (claim.isBlank() || value.isBlank()) {
            throw new IllegalArgumentException("the operator claim needs a name and a value, e.g. roles=fleet-operator");
        }
    }

    /** Parses {@code NAME=VALUE}. @throws IllegalArgumentException saying what form is expected */
    public static OperatorClaim parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("expected CLAIM=VALUE, e.g. scope=fleet.admin or roles=fleet-operator, was '" + text + "'");
        }
        return new OperatorClaim(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
    }

    public boolean matches(JWTClaimsSet claims) {
        Object v = claims.getClaims();
        for (String part : claim.split("\\.")) {
            v = v instanceof Map<?, ?> m ? m.get(part) : null;
        }
        if (v instanceof String s) {
            return Arrays.asList(s.trim().split("\\s+")).contains(value);
        }
        return v instanceof Collection<?> c && c.contains(value);
    }

    @Override
    public String toString() {
        return claim + "=" + value;
    }
}

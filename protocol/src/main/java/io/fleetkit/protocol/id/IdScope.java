package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The id scope of a Device Provisioning Service instance: {@code 0ne} followed by eight
 * hexadecimal digits, e.g. {@code 0ne00000001} (fleetkit's default) or {@code 0ne000A1B2C}.
 */
public record IdScope(String value) {
    public static final IdScope DEFAULT = new IdScope("0ne00000001");
    private static final String PREFIX = "0ne";
    private static final int LENGTH = 11;
    private static final String RULE = "'0ne' followed by eight hexadecimal digits";

    public IdScope {
        IdentifierRules.check(Subject.ID_SCOPE, value, LENGTH, c -> true, RULE);
        if (!value.startsWith(PREFIX)) {
            throw new ProtocolException(Subject.ID_SCOPE, value, "index 0", "must start with '0ne'; expected " + RULE);
        }
        for (int i = PREFIX.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.digit(c, 16) < 0 || c > 0x7f) {
                throw new ProtocolException(Subject.ID_SCOPE, value, "index " + i,
                        "character " + IdentifierRules.describe(c) + " is not a hexadecimal digit; expected " + RULE);
            }
        }
        if (value.length() != LENGTH) {
            throw new ProtocolException(Subject.ID_SCOPE, value, null,
                    "is " + value.length() + " characters long; expected " + RULE);
        }
    }

    public static IdScope of(String value) {
        return new IdScope(value);
    }

    @Override
    public String toString() {
        return value;
    }
}

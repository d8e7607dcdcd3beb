package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The character-set and length checks shared by the identifier types. Each failure names the
 * offending character, its index and what would have been accepted.
 */
final class IdentifierRules {
    /** Decides whether one ASCII character may appear in an identifier. */
    @FunctionalInterface
    interface Charset {
        boolean allows(char c);
    }

    private IdentifierRules() {
    }

    static String check(Subject subject, String value, int maxLength, Charset charset, String allowed) {
        if (value == null) {
            throw new ProtocolException(subject, null, null, "must not be null");
        }
        if (value.isEmpty()) {
            throw new ProtocolException(subject, value, null, "must not be empty");
        }
        if (value.length() > maxLength) {
            throw new ProtocolException(subject, value, null,
                    "is " + value.length() + " characters long; at most " + maxLength + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!charset.allows(c)) {
                throw new ProtocolException(subject, value, "index " + i,
                        "character " + describe(c) + " is not allowed; allowed are " + allowed);
            }
        }
        return value;
    }

    static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static String describe(char c) {
        String code = String.format("U+%04X", (int) c);
        return (c < 0x21 || c == 0x7f) ? code : "'" + c + "' (" + code + ")";
    }
}

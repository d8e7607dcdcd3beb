package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The host name of an IoT Hub as devices address it: a DNS name such as
 * {@code contoso.azure-devices.net} or an IPv4 literal such as {@code 127.0.0.1} (the embedded
 * hub). Labels of ASCII letters, digits and hyphens, 1–63 characters each, not starting or
 * ending with a hyphen; at most 253 characters in all.
 */
public record HubHostName(String value) {
    public static final int MAX_LENGTH = 253;
    private static final int MAX_LABEL = 63;

    public HubHostName {
        IdentifierRules.check(Subject.HUB_HOST_NAME, value, MAX_LENGTH,
                c -> IdentifierRules.isAsciiLetterOrDigit(c) || c == '-' || c == '.',
                "ASCII letters, digits, '-' and '.'");
        int start = 0;
        while (start <= value.length()) {
            int end = value.indexOf('.', start);
            if (end < 0) {
                end = value.length();
            }
            checkLabel(value, start, end);
            start = end + 1;
        }
    }

    private static void checkLabel(String value, int start, int end) {
        String where = "index " + start;
        if (end == start) {
            throw new ProtocolException(Subject.HUB_HOST_NAME, value, where, "empty label (two dots, or a dot at either end)");
        }
        if (end - start > MAX_LABEL) {
            throw new ProtocolException(Subject.HUB_HOST_NAME, value, where,
                    "label is " + (end - start) + " characters long; at most " + MAX_LABEL + " are allowed");
        }
        if (value.charAt(start) == '-' || value.charAt(end - 1) == '-') {
            throw new ProtocolException(Subject.HUB_HOST_NAME, value, where, "a label must not start or end with '-'");
        }
    }

    public static HubHostName of(String value) {
        return new HubHostName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}

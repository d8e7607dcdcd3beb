package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The request id ({@code $rid}) that correlates a request topic with its response topic in
 * the IoT Hub and DPS dialects. The SDKs send decimal counters or UUIDs; fleetkit accepts
 * 1–128 ASCII letters, digits and {@code - . _ ~ :}, which never need URL-encoding.
 */
public record RequestId(String value) {
    public static final int MAX_LENGTH = 128;

    public RequestId {
        IdentifierRules.check(Subject.REQUEST_ID, value, MAX_LENGTH, RequestId::allowed,
                "ASCII letters, digits and - . _ ~ :");
    }

    static boolean allowed(char c) {
        return IdentifierRules.isAsciiLetterOrDigit(c) || "-._~:".indexOf(c) >= 0;
    }

    public static RequestId of(String value) {
        return new RequestId(value);
    }

    public static RequestId of(long counter) {
        return new RequestId(Long.toString(counter));
    }

    @Override
    public String toString() {
        return value;
    }
}

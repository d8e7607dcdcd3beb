package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * An IoT Hub device id: 1–128 characters, ASCII letters and digits and
 * {@code - . + % _ # * ? ! ( ) , : = @ $ '}, case-sensitive.
 *
 * @param value the id as sent on the wire
 * @throws io.fleetkit.protocol.ProtocolException when {@code value} breaks the rule
 */
public record DeviceId(String value) implements Comparable<DeviceId> {
    public static final int MAX_LENGTH = 128;
    static final String SPECIALS = "-.+%_#*?!(),:=@$'";
    static final String ALLOWED = "ASCII letters, digits and - . + % _ # * ? ! ( ) , : = @ $ '";

    public DeviceId {
        IdentifierRules.check(Subject.DEVICE_ID, value, MAX_LENGTH,
                c -> IdentifierRules.isAsciiLetterOrDigit(c) || SPECIALS.indexOf(c) >= 0, ALLOWED);
    }

    public static DeviceId of(String value) {
        return new DeviceId(value);
    }

    @Override
    public int compareTo(DeviceId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

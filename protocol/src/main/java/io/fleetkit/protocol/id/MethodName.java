package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The name of a direct method: 1–128 printable US-ASCII characters, without the separators
 * IoT Hub forbids ({@code $ ( ) < > @ , ; : \ " / [ ] ? = { }}, space, tab) and without the MQTT
 * wildcards {@code # +}, because it travels as a topic level
 * ({@code $iothub/methods/POST/{name}/?$rid=…}). Case-sensitive.
 */
public record MethodName(String value) {
    public static final int MAX_LENGTH = 128;
    private static final String FORBIDDEN = "$()<>@,;:\\\"/[]?={}#+";

    public MethodName {
        IdentifierRules.check(Subject.METHOD_NAME, value, MAX_LENGTH,
                c -> c > 0x20 && c < 0x7f && FORBIDDEN.indexOf(c) < 0,
                "printable US-ASCII except $ ( ) < > @ , ; : \\ \" / [ ] ? = { } # + and white space");
    }

    public static MethodName of(String value) {
        return new MethodName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}

package io.fleetkit.protocol;

import java.util.Objects;

/**
 * Bytes or text from the outside world that break the fleetkit protocol: a malformed
 * identifier, topic, username, JSON or CBOR document, test-port frame or device model file.
 *
 * <p>Every instance says <em>what</em> was malformed ({@link #subject()}), <em>where</em>
 * ({@link #location()}: a character index, a JSON path, a byte offset) and <em>why</em>
 * ({@link #reason()}). Its message is meant for a person and contains no stack trace worth
 * reading; edges (the MQTT gateway, the REST API, the CLI) catch it in one place and turn it
 * into a CONNACK code, an HTTP 400 or one line on the terminal.
 *
 * <p>It is a {@link FleetkitException} of kind {@link Kind#INVALID_INPUT}: the client's fault. It is not an
 * {@link IllegalArgumentException} (it was once), so that a programming error can never reach a client as the client's
 * own fault; the typed values' factories ({@code DeviceId.of}, {@code Topic} parsers…) throw it for input from outside.
 */
public final class ProtocolException extends FleetkitException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED = 120;

    private final Subject subject;
    private final String location;
    private final String reason;

    /** What kind of input was malformed. */
    public enum Subject {
        DEVICE_ID("device id"),
        MODULE_ID("module id"),
        REGISTRATION_ID("registration id"),
        ID_SCOPE("id scope"),
        METHOD_NAME("method name"),
        HUB_HOST_NAME("hub host name"),
        REQUEST_ID("request id"),
        OPERATION_ID("operation id"),
        TOPIC("topic"),
        TOPIC_FILTER("topic filter"),
        USERNAME("username"),
        JSON("JSON document"),
        CBOR("CBOR document"),
        FRAME("test-port frame"),
        DEVICE_MODEL("device model");

        private final String label;

        Subject(String label) {
            this.label = label;
        }

        /** A lower-case noun phrase for messages, e.g. "device id". */
        public String label() {
            return label;
        }
    }

    /**
     * @param subject  what was malformed
     * @param input    the offending input, quoted in the message (shortened when long); may be null
     * @param location where in the input, e.g. "index 4" or "$.readings.temperature"; may be null
     * @param reason   why, as a sentence fragment without a trailing full stop
     */
    public ProtocolException(Subject subject, String input, String location, String reason) {
        super(Kind.INVALID_INPUT, message(subject, input, location, reason), null);
        this.subject = Objects.requireNonNull(subject, "subject");
        this.location = location;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Subject subject() {
        return subject;
    }

    /** Where in the input the problem is, or null when it concerns the input as a whole. */
    public String location() {
        return location;
    }

    public String reason() {
        return reason;
    }

    private static String message(Subject subject, String input, String location, String reason) {
        StringBuilder sb = new StringBuilder("invalid ").append(subject.label());
        if (input != null) {
            sb.append(" '").append(shorten(input)).append('\'');
        }
        if (location != null) {
            sb.append(" at ").append(location);
        }
        return sb.append(": ").append(reason).toString();
    }

    private static String shorten(String input) {
        String printable = input.codePoints()
                .collect(StringBuilder::new,
                        (b, cp) -> {
                            if (cp < 0x20 || cp == 0x7f) {
                                b.append(String.format("\\u%04x", cp));
                            } else {
                                b.appendCodePoint(cp);
                            }
                        },
                        StringBuilder::append)
                .toString();
        return printable.length() <= MAX_QUOTED ? printable : printable.substring(0, MAX_QUOTED) + "…";
    }
}

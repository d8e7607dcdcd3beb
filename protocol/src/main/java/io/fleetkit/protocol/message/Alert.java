package io.fleetkit.protocol.message;

import io.fleetkit.protocol.codec.WireName;

import java.time.Instant;
import java.util.Objects;

/**
 * Something is wrong on the device: {@code {"type":"alert","code":"overTemperature","severity":"critical","detail":"…"}}.
 *
 * @param code   a stable machine-readable code, e.g. {@code overTemperature}
 * @param detail a human-readable explanation (may be empty)
 */
public record Alert(long seq, Instant ts, String code, Severity severity, String detail) implements DeviceMessage {
    public static final String CODE_PATTERN = "[A-Za-z][A-Za-z0-9_.-]*";
    private static final io.fleetkit.protocol.codec.NamePattern CODE = new io.fleetkit.protocol.codec.NamePattern(CODE_PATTERN);

    public Alert {
        Messages.checkSeq(seq);
        Objects.requireNonNull(ts, "ts");
        Messages.checkText("code", code, Messages.NAME_MAX, CODE);
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(detail, "detail");
        if (detail.length() > Messages.DETAIL_MAX) {
            throw new IllegalArgumentException("detail: at most " + Messages.DETAIL_MAX + " characters");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.ALERT;
    }

    /** How urgent an alert is. */
    public enum Severity implements WireName {
        INFO("info"), WARNING("warning"), CRITICAL("critical");

        private final String wireName;

        Severity(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }
}

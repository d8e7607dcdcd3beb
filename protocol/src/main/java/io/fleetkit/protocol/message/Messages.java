package io.fleetkit.protocol.message;

import java.util.Objects;
import io.fleetkit.protocol.codec.NamePattern;

/** Limits shared by the message types, and the checks their constructors make. */
public final class Messages {
    /** IoT Hub's limit for a device-to-cloud message. */
    public static final int DEVICE_TO_CLOUD_MAX_BYTES = 256 * 1024;
    /** IoT Hub's limit for a direct method request or response payload. */
    public static final int METHOD_PAYLOAD_MAX_BYTES = 128 * 1024;
    /** The largest sequence number: JSON numbers are exact up to 2^53. */
    public static final long SEQ_MAX = (1L << 53) - 1;
    public static final int NAME_MAX = 64;
    public static final int VERSION_MAX = 32;
    public static final int DETAIL_MAX = 1024;
    public static final int READINGS_MAX = 64;
    /** Names of telemetry fields and model ids: a letter, then letters, digits, '_' or '-'. */
    public static final String NAME_PATTERN = "[A-Za-z][A-Za-z0-9_-]*";
    /** Firmware versions such as 1.4.2 or 2.0.0-rc.1. */
    public static final String VERSION_PATTERN = "[0-9A-Za-z][0-9A-Za-z.+_-]*";
    /** Compiled once, and remembering the names it matched: every telemetry message checks its reading names against it. */
    static final NamePattern NAME = new NamePattern(NAME_PATTERN);
    static final NamePattern VERSION = new NamePattern(VERSION_PATTERN);

    private Messages() {
    }

    static void checkSeq(long seq) {
        if (seq < 0 || seq > SEQ_MAX) {
            throw new IllegalArgumentException("seq: must be 0–" + SEQ_MAX + ", was " + seq);
        }
    }

    static void checkText(String name, String value, int max) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(name + ": must be 1–" + max + " characters, was '" + value + "'");
        }
    }

    /**
     * {@link #checkText} and the pattern the codec reads the field with: a message built in code is one the codec would
     * accept, so a device on this library never sends what the hub's processors skip as invalid.
     */
    static void checkText(String name, String value, int max, NamePattern pattern) {
        checkText(name, value, max);
        if (!pattern.matches(value)) {
            throw new IllegalArgumentException(name + ": '" + value + "' does not match " + pattern.regex());
        }
    }
}

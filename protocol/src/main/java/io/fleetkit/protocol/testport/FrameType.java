package io.fleetkit.protocol.testport;

import java.util.Optional;

/** The first byte of every test-port frame, before its CBOR payload. */
public enum FrameType {
    /** Device → bridge after boot or link (re)start: who it is. */
    HELLO(0x01),
    /** Device → bridge: a telemetry message. */
    TELEMETRY(0x02),
    /** Device → bridge: a lifecycle, alert or presence message. */
    EVENT(0x03),
    /** Bridge → device: a direct method call. */
    METHOD_REQUEST(0x04),
    /** Device → bridge: the answer to a method call. */
    METHOD_RESPONSE(0x05),
    /** Either way: the button was pressed or released (or a press is injected). */
    BUTTON(0x06),
    /** Device → bridge: the LED changed. */
    LED(0x07),
    /** Device → bridge: a log line. */
    LOG(0x08),
    /** Either way: liveness; the other side answers with {@code reply=true}. */
    PING(0x09);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<FrameType> of(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

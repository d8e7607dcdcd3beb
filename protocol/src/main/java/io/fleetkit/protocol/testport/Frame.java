package io.fleetkit.protocol.testport;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One test-port frame before framing: a type and its payload (CBOR, see {@link TestPortCodec}).
 * On the wire it is {@code COBS(type ‖ payload ‖ CRC-16 big-endian) 0x00}, the CRC
 * ({@link Crc16}) taken over type and payload.
 */
public record Frame(FrameType type, byte[] payload) {
    /** The largest payload: a device message of 256 KB fits. */
    public static final int MAX_PAYLOAD = 256 * 1024 + 1024;

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload: at most " + MAX_PAYLOAD + " bytes, was " + payload.length);
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The frame as it travels: COBS-encoded with its CRC, followed by the 0x00 delimiter. */
    public byte[] encode() {
        byte[] raw = new byte[1 + payload.length + 2];
        raw[0] = (byte) type.code();
        System.arraycopy(payload, 0, raw, 1, payload.length);
        int crc = Crc16.of(raw, 0, 1 + payload.length);
        raw[raw.length - 2] = (byte) (crc >> 8);
        raw[raw.length - 1] = (byte) crc;
        byte[] cobs = Cobs.encode(raw, 0, raw.length);
        byte[] out = Arrays.copyOf(cobs, cobs.length + 1);
        out[out.length - 1] = 0;
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && type == f.type && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Frame[" + type + ", " + HexFormat.of().formatHex(payload) + "]";
    }
}

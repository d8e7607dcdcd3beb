package io.fleetkit.protocol.testport;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Splits a byte stream from the test port into frames. Bytes accumulate until a 0x00
 * delimiter; the block is COBS-decoded and its CRC, length and type are checked. A bad block is
 * reported as {@link Result.Corrupt} with the reason and the decoder carries on with the next
 * delimiter, so it resynchronises after line noise, a reset mid-frame or a baud mismatch. It
 * never throws on input.
 *
 * <p>Not thread-safe: one decoder per link, fed by the link's reader thread.
 */
public final class FrameDecoder {
    /** What one delimited block turned out to be. */
    public sealed interface Result {
        /** A well-formed frame. */
        record Ok(Frame frame) implements Result {
        }

        /**
         * A block that was dropped.
         *
         * @param reason why, e.g. "CRC mismatch: frame says 0x1A2B, computed 0x3C4D"
         * @param length how many bytes of the stream were dropped
         */
        record Corrupt(String reason, int length) implements Result {
        }
    }

    private final int maxEncodedLength;
    private final ByteArrayOutputStream block = new ByteArrayOutputStream(256);
    private boolean overflowing;
    private int overflowLength;
    private long frames;
    private long corrupt;

    public FrameDecoder() {
        this(Frame.MAX_PAYLOAD);
    }

    /** @param maxPayload larger blocks are dropped as corrupt without being buffered */
    public FrameDecoder(int maxPayload) {
        this.maxEncodedLength = Cobs.maxEncodedLength(maxPayload + 3);
    }

    /** Feeds bytes as they arrive; every completed block is passed to {@code sink} in order. */
    public void feed(byte[] data, int offset, int length, Consumer<Result> sink) {
        for (int i = offset; i < offset + length; i++) {
            byte b = data[i];
            if (b != 0) {
                if (overflowing) {
                    overflowLength++;
                } else if (block.size() == maxEncodedLength) {
                    overflowing = true;
                    overflowLength = block.size() + 1;
                    block.reset();
                } else {
                    block.write(b);
                }
                continue;
            }
            if (overflowing) {
                corrupt++;
                sink.accept(new Result.Corrupt("frame longer than " + maxEncodedLength + " bytes without a delimiter", overflowLength + 1));
                overflowing = false;
                continue;
            }
            if (block.size() == 0) {
                continue; // back-to-back delimiters: allowed as idle filler
            }
            Result r = decodeBlock(block.toByteArray());
            block.reset();
            if (r instanceof Result.Ok) {
                frames++;
            } else {
                corrupt++;
            }
            sink.accept(r);
        }
    }

    public void feed(byte[] data, Consumer<Result> sink) {
        feed(data, 0, data.length, sink);
    }

    /** Frames decoded so far. */
    public long frames() {
        return frames;
    }

    /** Blocks dropped as corrupt so far. */
    public long corruptFrames() {
        return corrupt;
    }

    private static Result decodeBlock(byte[] encoded) {
        int wireLength = encoded.length + 1;
        byte[] raw = Cobs.decode(encoded, 0, encoded.length);
        if (raw == null) {
            return new Result.Corrupt("not valid COBS", wireLength);
        }
        if (raw.length < 3) {
            return new Result.Corrupt("too short: " + raw.length + " bytes, a frame has at least a type and a CRC", wireLength);
        }
        int expected = ((raw[raw.length - 2] & 0xFF) << 8) | (raw[raw.length - 1] & 0xFF);
        int actual = Crc16.of(raw, 0, raw.length - 2);
        if (expected != actual) {
            return new Result.Corrupt(String.format("CRC mismatch: frame says 0x%04X, computed 0x%04X", expected, actual), wireLength);
        }
        var type = FrameType.of(raw[0] & 0xFF);
        if (type.isEmpty()) {
            return new Result.Corrupt(String.format("unknown frame type 0x%02X", raw[0] & 0xFF), wireLength);
        }
        byte[] payload = new byte[raw.length - 3];
        System.arraycopy(raw, 1, payload, 0, payload.length);
        return new Result.Ok(new Frame(type.get(), payload));
    }
}

package io.fleetkit.backend.stream;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk form of a record: {@code [length:int][crc32c:int][payload]}, the payload being
 * offset, enqueued time, device id, properties and body. The CRC covers the payload, so a torn
 * or corrupted tail is recognised on recovery.
 */
final class RecordCodec {
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = 1 << 20;

    private RecordCodec() {
    }

    static ByteBuffer encode(StreamRecord r) {
        byte[] body = r.bodyNoCopy();
        String device = r.deviceId().value();
        int size = HEADER + 8 + 8 + 4 + utfLength(device) + 2 + 4 + body.length;
        for (var e : r.properties().entrySet()) {
            size += utfLength(e.getKey()) + utfLength(e.getValue());
        }
        if (size - HEADER > MAX_PAYLOAD) {
            // recovery reads a longer record as a torn tail and would cut everything after it
            throw new IllegalArgumentException("a record of " + (size - HEADER) + " bytes is over the " + MAX_PAYLOAD
                    + " a stream record may hold");
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.position(HEADER);
        b.putLong(r.offset()).putLong(r.enqueuedTime().getEpochSecond()).putInt(r.enqueuedTime().getNano());
        putUtf(b, device);
        b.putShort((short) r.properties().size());
        for (var e : r.properties().entrySet()) {
            putUtf(b, e.getKey());
            putUtf(b, e.getValue());
        }
        b.putInt(body.length).put(body);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), HEADER, size - HEADER);
        b.putInt(0, size - HEADER).putInt(4, (int) crc.getValue());
        return b.position(0);
    }

    /** The length of {@code s} as {@link DataOutputStream#writeUTF} writes it (modified UTF-8), its 2-byte prefix included. */
    private static int utfLength(String s) {
        int n = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 0x01 && c <= 0x7F ? 1 : c <= 0x7FF ? 2 : 3;
        }
        if (n - 2 > 0xFFFF) {
            throw new IllegalArgumentException("a string of " + (n - 2) + " bytes does not fit a record (at most 65535)");
        }
        return n;
    }

    /** Writes {@code s} as {@link DataOutputStream#writeUTF} does, which {@link DataInputStream#readUTF} reads back. */
    private static void putUtf(ByteBuffer b, String s) {
        b.putShort((short) (utfLength(s) - 2));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x01 && c <= 0x7F) {
                b.put((byte) c);
            } else if (c <= 0x7FF) {
                b.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
            } else {
                b.put((byte) (0xE0 | (c >> 12))).put((byte) (0x80 | ((c >> 6) & 0x3F))).put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    /** Checks the CRC and decodes; null when the payload is not what the header says. */
    static StreamRecord decode(byte[] payload, int expectedCrc) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        if ((int) crc.getValue() != expectedCrc) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            long offset = in.readLong();
            Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
            DeviceId device = DeviceId.of(in.readUTF());
            int n = in.readUnsignedShort();
            Map<String, String> props = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                props.put(in.readUTF(), in.readUTF());
            }
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new StreamRecord(offset, device, t, props, body);
        } catch (IOException | IllegalArgumentException | ProtocolException e) {
            return null;
        }
    }

    /** A record read from a segment, and where the next one starts. */
    record Stored(StreamRecord record, long next) {
    }

    /**
     * Reads the record at {@code position} of a segment, or null when the bytes there are not a
     * whole, intact record (end of file, torn write, bad length or checksum).
     */
    static Stored readAt(java.nio.channels.FileChannel ch, long position, long size) throws java.io.IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (ch.read(header, position) < HEADER) {
            return null;
        }
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length < 0 || length > MAX_PAYLOAD || position + HEADER + length > size) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (ch.read(payload, position + HEADER) < length) {
            return null;
        }
        StreamRecord r = decode(payload.array(), crc);
        return r == null ? null : new Stored(r, position + HEADER + length);
    }
}

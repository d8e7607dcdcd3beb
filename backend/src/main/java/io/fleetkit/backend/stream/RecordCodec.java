package io.fleetkit.backend.stream;

import io.fleetkit.protocol.id.DeviceId;

import java.io.ByteArrayOutputStream;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + r.body().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(r.offset());
            out.writeLong(r.enqueuedTime().getEpochSecond());
            out.writeInt(r.enqueuedTime().getNano());
            out.writeUTF(r.deviceId().value());
            out.writeShort(r.properties().size());
            for (var e : r.properties().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            byte[] body = r.body();
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
        b.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        return b;
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
        } catch (IOException | IllegalArgumentException e) {
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

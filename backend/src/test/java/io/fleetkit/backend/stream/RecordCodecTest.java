package io.fleetkit.backend.stream;

import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The on-disk record form: what the encoder writes, the decoder reads back, byte for byte what DataOutputStream wrote before. */
class RecordCodecTest {
    private static final Map<String, String> PROPERTIES = new LinkedHashMap<>();

    static {
        PROPERTIES.put("$.ct", "application/json");
        PROPERTIES.put("café", "naïve ünïcödé");
        PROPERTIES.put("中文", "日本語 and \uD83D\uDE00 (a surrogate pair)");
        PROPERTIES.put("nul", "a\u0000b"); // modified UTF-8 writes NUL in two bytes
        PROPERTIES.put("", "");
    }

    @Test
    void encodedRecordsDecodeToTheSameRecord() {
        StreamRecord r = new StreamRecord(42, DeviceId.of("dev-00001"), Instant.ofEpochSecond(1_790_000_000L, 123_456_789),
                PROPERTIES, "{\"temperature\": 21.5}".getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = RecordCodec.encode(r);
        assertThat(b.position()).isZero();
        int length = b.getInt(0);
        int crc = b.getInt(4);
        assertThat(b.remaining()).isEqualTo(RecordCodec.HEADER + length);
        byte[] payload = Arrays.copyOfRange(b.array(), RecordCodec.HEADER, RecordCodec.HEADER + length);
        assertThat(RecordCodec.decode(payload, crc)).isEqualTo(r);
        assertThat(RecordCodec.decode(payload, crc + 1)).as("a CRC mismatch").isNull();
    }

    @Test
    void thePayloadIsWhatDataOutputStreamWrote() throws IOException {
        StreamRecord r = new StreamRecord(7, DeviceId.of("dev-7"), Instant.ofEpochSecond(5, 6), PROPERTIES, new byte[] {1, 2, 3});
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(expected)) {
            out.writeLong(7);
            out.writeLong(5);
            out.writeInt(6);
            out.writeUTF("dev-7");
            out.writeShort(PROPERTIES.size());
            for (var e : PROPERTIES.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(3);
            out.write(new byte[] {1, 2, 3});
        }
        ByteBuffer b = RecordCodec.encode(r);
        assertThat(Arrays.copyOfRange(b.array(), RecordCodec.HEADER, b.limit())).isEqualTo(expected.toByteArray());
    }
}

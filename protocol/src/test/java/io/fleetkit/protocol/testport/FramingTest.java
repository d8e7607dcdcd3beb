package io.fleetkit.protocol.testport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.Alert;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FramingTest {
    static final Instant TS = Instant.parse("2026-11-26T09:30:00Z");

    @Test
    void crcCheckValue() {
        assertThat(Crc16.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x29B1);
        assertThat(Crc16.of(new byte[0])).isEqualTo(0xFFFF);
    }

    @Test
    void cobsKnownVectors() {
        // vectors from the COBS paper / Wikipedia's table
        assertCobs("00", "0101");
        assertCobs("0000", "010101");
        assertCobs("11220033", "03112202 33".replace(" ", ""));
        assertCobs("11223344", "0511223344");
        assertCobs("11000000", "02110101 01".replace(" ", ""));
        byte[] run = new byte[254];
        Arrays.fill(run, (byte) 1);
        byte[] enc = Cobs.encode(run, 0, run.length);
        assertThat(enc[0] & 0xFF).isEqualTo(0xFF);
        assertThat(Cobs.decode(enc, 0, enc.length)).isEqualTo(run);
    }

    private static void assertCobs(String rawHex, String encodedHex) {
        byte[] raw = HexFormat.of().parseHex(rawHex);
        byte[] enc = Cobs.encode(raw, 0, raw.length);
        assertThat(HexFormat.of().formatHex(enc)).isEqualTo(encodedHex);
        assertThat(Cobs.decode(enc, 0, enc.length)).isEqualTo(raw);
    }

    @Test
    void cobsRoundTripsRandomBlocks() {
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[r.nextInt(1200)];
            r.nextBytes(b);
            for (int k = 0; k < b.length / 10; k++) {
                b[r.nextInt(b.length)] = 0;
            }
            byte[] enc = Cobs.encode(b, 0, b.length);
            assertThat(enc).doesNotContain((byte) 0);
            assertThat(Cobs.decode(enc, 0, enc.length)).isEqualTo(b);
        }
    }

    static List<TestPortMessage> samples() {
        ObjectMapper json = new ObjectMapper();
        return List.of(
                new TestPortMessage.Hello(1, DeviceId.of("dev-001"), "1.4.2", "thermostat"),
                new TestPortMessage.Message(new Telemetry(1, TS, Map.of("temperature", Reading.of(21.5)))),
                new TestPortMessage.Message(new Alert(2, TS, "lowBattery", Alert.Severity.WARNING, "")),
                new TestPortMessage.MethodCall(7, MethodName.of("setTelemetryInterval"),
                        Optional.of(json.createObjectNode().put("intervalSeconds", 30))),
                new TestPortMessage.MethodResult(7, 200, Optional.of(json.createObjectNode().put("intervalSeconds", 30))),
                new TestPortMessage.MethodResult(8, 500, Optional.empty()),
                new TestPortMessage.Button(TestPortMessage.ButtonAction.PRESSED),
                new TestPortMessage.Led(TestPortMessage.LedMode.BLINK, "green", 500),
                new TestPortMessage.Log(TestPortMessage.LogLevel.INFO, "wifi up"),
                new TestPortMessage.Ping(3, false));
    }

    @Test
    void typedFramesRoundTripThroughTheWire() {
        FrameDecoder decoder = new FrameDecoder();
        List<TestPortMessage> got = new ArrayList<>();
        for (TestPortMessage m : samples()) {
            byte[] wire = TestPortCodec.toFrame(m).encode();
            assertThat(Arrays.copyOf(wire, wire.length - 1)).doesNotContain((byte) 0);
            // feed one byte at a time, as a serial port might deliver it
            for (byte b : wire) {
                decoder.feed(new byte[]{b}, r -> got.add(TestPortCodec.fromFrame(((FrameDecoder.Result.Ok) r).frame())));
            }
        }
        assertThat(got).isEqualTo(samples());
        assertThat(decoder.frames()).isEqualTo(samples().size());
        assertThat(decoder.corruptFrames()).isZero();
    }

    @Test
    void resynchronisesAfterGarbageAndReportsEachCorruptBlock() {
        byte[] good = TestPortCodec.toFrame(new TestPortMessage.Ping(1, false)).encode();
        byte[] flipped = good.clone();
        flipped[3] ^= 0x40;
        byte[] unknownType = withType(0x7E);
        byte[] stream = concat(
                HexFormat.of().parseHex("deadbeef00"),   // line noise, then a delimiter
                good,
                flipped,                                 // a bit error in the middle of a frame
                HexFormat.of().parseHex("000000"),      // idle delimiters: ignored
                HexFormat.of().parseHex("020100"),       // too short
                unknownType,
                good);
        List<FrameDecoder.Result> results = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        decoder.feed(stream, results::add);
        assertThat(results).hasSize(6);
        assertThat(((FrameDecoder.Result.Corrupt) results.get(0)).reason()).isNotEmpty();
        assertThat(results.get(1)).isInstanceOf(FrameDecoder.Result.Ok.class);
        assertThat(((FrameDecoder.Result.Corrupt) results.get(2)).reason()).startsWith("CRC mismatch: frame says 0x");
        assertThat(((FrameDecoder.Result.Corrupt) results.get(3)).reason()).startsWith("too short: 1 bytes");
        assertThat(((FrameDecoder.Result.Corrupt) results.get(4)).reason()).isEqualTo("unknown frame type 0x7E");
        assertThat(results.get(5)).isInstanceOf(FrameDecoder.Result.Ok.class);
        assertThat(decoder.frames()).isEqualTo(2);
        assertThat(decoder.corruptFrames()).isEqualTo(4);
    }

    @Test
    void oversizedBlockIsDroppedWithoutBuffering() {
        FrameDecoder decoder = new FrameDecoder(16);
        List<FrameDecoder.Result> results = new ArrayList<>();
        byte[] junk = new byte[1000];
        Arrays.fill(junk, (byte) 5);
        decoder.feed(junk, results::add);
        decoder.feed(new byte[]{0}, results::add);
        decoder.feed(TestPortCodec.toFrame(new TestPortMessage.Ping(1, true)).encode(), results::add);
        assertThat(((FrameDecoder.Result.Corrupt) results.get(0)).reason()).startsWith("frame longer than");
        assertThat(((FrameDecoder.Result.Corrupt) results.get(0)).length()).isEqualTo(1001);
        assertThat(results.get(1)).isInstanceOf(FrameDecoder.Result.Ok.class);
    }

    @Test
    void wellFramedButBadPayloadIsAProtocolError() {
        Frame telemetryTypeWithAlert = new Frame(FrameType.TELEMETRY,
                io.fleetkit.protocol.message.DeviceMessageCodec.CODEC.toCbor(new Alert(2, TS, "x", Alert.Severity.INFO, "")));
        assertThatThrownBy(() -> TestPortCodec.fromFrame(telemetryTypeWithAlert))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid test-port frame at TELEMETRY frame: carries a alert message");
        assertThatThrownBy(() -> TestPortCodec.fromFrame(new Frame(FrameType.PING, HexFormat.of().parseHex("a1637365710a"))))
                .hasMessage("invalid test-port frame at PING frame: invalid CBOR document at $: missing required member 'reply'");
        assertThatThrownBy(() -> TestPortCodec.fromFrame(new Frame(FrameType.LED, new byte[]{(byte) 0xa1})))
                .hasMessageStartingWith("invalid test-port frame at LED frame: invalid CBOR document at byte");
    }

    private static byte[] withType(int type) {
        byte[] raw = {(byte) type, 0x01, 0, 0};
        int crc = Crc16.of(raw, 0, 2);
        raw[2] = (byte) (crc >> 8);
        raw[3] = (byte) crc;
        byte[] enc = Cobs.encode(raw, 0, raw.length);
        return concat(enc, new byte[]{0});
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}

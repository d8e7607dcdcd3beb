package io.fleetkit.bench.protocol;

import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.testport.Frame;
import io.fleetkit.protocol.testport.FrameDecoder;
import io.fleetkit.protocol.testport.TestPortCodec;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * What every message costs besides its body: the IoT Hub topic with its property bag (parse and
 * format, as the hub and the devices do), the hub username parsed at each CONNECT, and a test-port
 * frame (COBS + CRC-16) encoded and decoded. Baselines in the same run: splitting the topic on
 * '/' and '&' (no decoding, no checks), and a CRC-32 over the frame's bytes (the JDK's intrinsic) —
 * the least any parser or framer must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TopicAndFrameBenchmark {
    static final String TOPIC = "devices/dev-00042/messages/events/$.mid=17&$.ct=application%2Fjson&$.ce=utf-8&type=telemetry&sensor%20type=a%2Fb";
    static final String USERNAME = "127.0.0.1/dev-00042/?api-version=2020-09-30&DeviceClientType=fleetkit-firmware%2F1.0";

    private Topic parsed;
    private TestPortMessage message;
    private byte[] frame;

    @Setup
    public void setUp() {
        parsed = Topic.parse(TOPIC);
        message = new TestPortMessage.Message(new Telemetry(7, Instant.parse("2026-11-26T10:00:00Z"),
                Map.of("temperature", Reading.of(21.5), "humidity", Reading.of(45.0), "heating", Reading.of(false))));
        frame = TestPortCodec.toFrame(message).encode();
        if (!(TestPortCodec.fromFrame(decodeOne(frame)) instanceof TestPortMessage.Message)) {
            throw new IllegalStateException("the frame does not decode back");
        }
    }

    @Benchmark
    public Topic parseTopic() {
        return Topic.parse(TOPIC);
    }

    @Benchmark
    public String formatTopic() {
        return parsed.format();
    }

    @Benchmark
    public HubUsername parseUsername() {
        return HubUsername.parse(USERNAME);
    }

    @Benchmark
    public byte[] encodeFrame() {
        return TestPortCodec.toFrame(message).encode();
    }

    @Benchmark
    public TestPortMessage decodeFrame() {
        return TestPortCodec.fromFrame(decodeOne(frame));
    }

    @Benchmark
    public void baselineSplitTopic(Blackhole bh) {
        for (String part : TOPIC.split("/")) {
            bh.consume(part.split("&"));
        }
    }

    @Benchmark
    public long baselineCrc32OfFrame() {
        CRC32 crc = new CRC32();
        crc.update(frame);
        return crc.getValue();
    }

    /** One decoder for the stream, as a port reader keeps it. */
    private final FrameDecoder decoder = new FrameDecoder();

    private Frame decodeOne(byte[] bytes) {
        Frame[] out = new Frame[1];
        decoder.feed(bytes, r -> out[0] = ((FrameDecoder.Result.Ok) r).frame());
        return out[0];
    }
}

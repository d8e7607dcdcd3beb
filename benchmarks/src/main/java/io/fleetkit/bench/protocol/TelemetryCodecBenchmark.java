package io.fleetkit.bench.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A telemetry message encoded and decoded by the protocol's strict codec (every field checked,
 * deterministic output), JSON and CBOR, with 5 or 50 readings. Baseline in the same run: Jackson
 * databind writing and reading the same message as a plain {@code Map} — no checks — which is what
 * a hand-written device or backend would do; the ratio is the price of the strictness.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TelemetryCodecBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new CBORMapper();
    private static final ObjectMapper STRICT_JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    @Param({"5", "50"})
    public int readings;

    private Telemetry message;
    private byte[] json;
    private byte[] cbor;
    private Map<String, Object> plain;

    @Setup
    public void setUp() throws Exception {
        Map<String, Reading> r = new LinkedHashMap<>();
        for (int i = 0; i < readings; i++) {
            r.put("sensor" + i, i % 5 == 4 ? Reading.of(i % 2 == 0) : Reading.of(20.5 + i));
        }
        message = new Telemetry(12345, Instant.parse("2026-11-26T10:00:00.123Z"), r);
        json = DeviceMessageCodec.CODEC.toJson(message);
        cbor = DeviceMessageCodec.CODEC.toCbor(message);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(json, Map.class);
        plain = m;
    }

    @Benchmark
    public byte[] encodeJson() {
        return DeviceMessageCodec.CODEC.toJson(message);
    }

    @Benchmark
    public DeviceMessage decodeJson() {
        return DeviceMessageCodec.CODEC.fromJson(json);
    }

    /** The decoder the streaming one replaced (issue 21): a strict tree first, then the kinds read the tree. */
    @Benchmark
    public DeviceMessage decodeJsonViaTree() throws Exception {
        return DeviceMessageCodec.CODEC.fromTree(STRICT_JSON.readTree(json), io.fleetkit.protocol.ProtocolException.Subject.JSON);
    }

    @Benchmark
    public byte[] encodeCbor() {
        return DeviceMessageCodec.CODEC.toCbor(message);
    }

    @Benchmark
    public DeviceMessage decodeCbor() {
        return DeviceMessageCodec.CODEC.fromCbor(cbor);
    }

    @Benchmark
    public byte[] baselineMapEncodeJson() throws Exception {
        return JSON.writeValueAsBytes(plain);
    }

    @Benchmark
    public Object baselineMapDecodeJson() throws Exception {
        return JSON.readValue(json, Map.class);
    }

    @Benchmark
    public Object baselineMapDecodeCbor() throws Exception {
        return CBOR.readValue(cbor, Map.class);
    }
}

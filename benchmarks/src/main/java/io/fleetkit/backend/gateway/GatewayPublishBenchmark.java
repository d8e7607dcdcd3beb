package io.fleetkit.backend.gateway;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One QoS 1 telemetry PUBLISH through the hub's session handler (topic parse, property bag, size
 * and throttle checks), the router (the default routes) and a stream append, until the PUBACK is
 * written: in-memory streams (the handler and router alone) and durable file streams (an append
 * acknowledged after its fsync, so a single publisher waits for the disk each time). In this package
 * because the handler is package-private: the benchmark drives the real class, not a copy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GatewayPublishBenchmark {
    private static final String TOPIC = "devices/dev-00042/messages/events/$.mid=17&$.ct=application%2Fjson&$.ce=utf-8&type=telemetry";
    private static final byte[] BODY = ("{\"type\":\"telemetry\",\"seq\":17,\"ts\":\"2026-11-26T10:00:00Z\",\"readings\":"
            + "{\"temperature\":21.5,\"humidity\":45,\"targetTemperature\":21.5,\"heating\":false,\"batteryPercent\":98}}")
            .getBytes(StandardCharsets.UTF_8);

    @Param({"memory", "file"})
    public String stream;

    private Path dir;
    private Map<String, Stream> streams;
    private EmbeddedChannel channel;
    private int packetId;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        streams = new HashMap<>();
        dir = Files.createTempDirectory("fleetkit-bench-streams");
        for (String name : new String[]{"telemetry", "lifecycle", "alerts", "events"}) {
            streams.put(name, stream.equals("file") ? FileStream.open(dir.resolve(name), name, Backend.PARTITIONS, 64L << 20)
                    : new InMemoryStream(name, Backend.PARTITIONS));
        }
        RoutingSink sink = new RoutingSink(new Router(Backend.DEFAULT_ROUTES, true), streams);
        InMemoryDeviceRegistry registry = new InMemoryDeviceRegistry();
        DeviceId device = DeviceId.of("dev-00042");
        registry.createIfAbsent(device, Authentication.X509_CA_SIGNED, java.time.Instant.now());
        MqttDeviceCommands hub = new MqttDeviceCommands(registry, Twins.inMemory());
        channel = new EmbeddedChannel();
        StageTimings timings = new StageTimings(); // recorded on every publish, as in the hub
        channel.pipeline().addLast(new HubSessionHandler(new HubSession(device, null, channel), hub, sink, Clock.systemUTC(),
                Messages.DEVICE_TO_CLOUD_MAX_BYTES, new Throttles(ThrottleProfile.OFF), GatewayLimits.defaults().maxInflightPerConnection(),
                new io.fleetkit.backend.hub.IngestBudget(GatewayLimits.defaults().ingestBudgetBytes()),
                timings.series(StageTimings.Stage.APPENDED, StageTimings.HUB), timings.series(StageTimings.Stage.PUBACK, StageTimings.HUB)),
                GatewayExceptionHandler.INSTANCE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        channel.finishAndReleaseAll();
        for (Stream s : streams.values()) {
            s.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public MqttMessage publishUntilPubAck() {
        packetId = packetId % 65535 + 1;
        ByteBuf body = Unpooled.wrappedBuffer(BODY);
        channel.writeInbound(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader(TOPIC, packetId), body));
        while (true) {
            channel.runPendingTasks();
            MqttMessage ack = channel.readOutbound();
            if (ack != null) {
                return ack;
            }
            Thread.onSpinWait(); // the durable stream acknowledges from its flushing thread
        }
    }
}

package io.fleetkit.bench.load;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.MessageContext;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The fleetkit hub as a system under test, in its own JVM: either its ingest (hub + DPS, routing,
 * durable streams with fsync before PUBACK, nothing reading them) or the whole backend (the store
 * processor into H2, device state, the API) plus a probe on the telemetry stream that records publish → handler latency from the {@code sentMicros} reading the
 * load generator puts in each message ({@code System.nanoTime()} is the machine's monotonic clock,
 * shared by processes).
 *
 * <p>Arguments: {@code PKI-DIR DATA-DIR PORT ID-PREFIX DEVICES THROTTLE ingest|pipeline}. The devices are registered up
 * front (a connect storm measures the hub, not DPS). Line protocol as in {@link ServerProcess}, plus
 * {@code connected}, {@code stored}, {@code rows} and {@code backlog} (pipeline), {@code gc} (one full collection: used
 * heap after it and its pause in ms), {@code latency} (and reset),
 * {@code methods RATE SECONDS NAME}.
 */
public final class HubBenchServer {
    static final String SENT_MICROS = "sentMicros";

    private HubBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        ControlChannel control = new ControlChannel();
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        Path data = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        List<RegistrationId> ids = FactoryBatch.ids(args[3], 1, Integer.parseInt(args[4]));
        ThrottleProfile throttle = ThrottleProfile.parse(args[5]);
        Recorder latency = new Recorder(3);
        boolean pipeline = "pipeline".equals(args[6]);
        try (Assembly hub = pipeline ? Assembly.pipeline(pki, data, port, throttle, latency) : Assembly.ingest(pki, data, port, throttle)) {
            for (RegistrationId id : ids) {
                hub.hub().registry().createIfAbsent(id.toDeviceId(), Authentication.X509_CA_SIGNED, Instant.now());
            }
            control.on("connected", "CONNECTED", a -> Integer.toString(hub.hub().devices().connectedCount()))
                    .on("stored", "STORED", a -> Long.toString(hub.stored()))
                    .on("rows", "ROWS", a -> Long.toString(hub.rows()))
                    .on("backlog", "BACKLOG", a -> Long.toString(hub.backlog()))
                    .on("gc", "GC", a -> { // one full collection: the heap it leaves and how long the process stood still
                        long start = System.nanoTime();
                        System.gc();
                        long pause = System.nanoTime() - start;
                        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + " " + pause / 1_000_000;
                    })
                    .on("latency", "LATENCY", a -> {
                        Histogram h = latency.getIntervalHistogram(); // and starts the next interval
                        return h.getTotalCount() + " " + h.getValueAtPercentile(50) + " " + h.getValueAtPercentile(99) + " "
                                + h.getValueAtPercentile(99.9);
                    })
                    .on("methods", "METHODS", a -> callMethods(hub.hub().devices(), ids, Double.parseDouble(a[1]),
                            Duration.ofSeconds(Long.parseLong(a[2])), MethodName.of(a[3])))
                    .serve(Integer.toString(hub.hub().port()));
        }
    }

    /**
     * The hub as measured: either the whole backend, or its ingest alone — TLS, X.509, routing and the
     * durable append (fsync) before PUBACK, with nothing reading the streams (what the peers compare with).
     */
    private record Assembly(EmbeddedHub hub, Backend backend, List<FileStream> streams) implements AutoCloseable {
        static Assembly pipeline(PkiDirectory pki, Path data, int port, ThrottleProfile throttle, Recorder latency) {
            DeviceMessageHandler probe = new DeviceMessageHandler() {
                @Override
                public void onTelemetry(MessageContext context, Telemetry message) {
                    if (message.readings().get(SENT_MICROS) instanceof Reading.Num sent) {
                        latency.recordValue(Math.max(0, System.nanoTime() / 1000 - (long) sent.value()));
                    }
                }
            };
            Backend backend = Backend.builder(pki, data).http("127.0.0.1", 0)
                    .hub(h -> h.bind("127.0.0.1").port(port).throttle(throttle))
                    .processor("telemetry", "latency-probe", probe).start();
            return new Assembly(backend.hub(), backend, List.of());
        }

        static Assembly ingest(PkiDirectory pki, Path data, int port, ThrottleProfile throttle) {
            Router router = new Router(Backend.DEFAULT_ROUTES, true);
            Map<String, Stream> streams = new LinkedHashMap<>();
            List<FileStream> opened = new ArrayList<>();
            for (String endpoint : router.endpoints()) {
                FileStream s = FileStream.open(data.resolve("streams").resolve(endpoint), endpoint, Backend.PARTITIONS, 64L << 20);
                streams.put(endpoint, s);
                opened.add(s);
            }
            EmbeddedHub hub = EmbeddedHub.builder(pki).bind("127.0.0.1").port(port).throttle(throttle)
                    .sink(new RoutingSink(router, streams)).start();
            return new Assembly(hub, null, opened);
        }

        /** Telemetry rows stored, or (ingest only) records appended to the telemetry stream. */
        long stored() {
            if (backend != null) {
                return backend.processors().get("store").handled();
            }
            return streams.stream().filter(s -> s.name().equals("telemetry")).mapToLong(Backend::recordsIn).sum();
        }

        /** Telemetry rows in the store (pipeline only): what a soak compares with the telemetry devices saw acknowledged. */
        long rows() {
            return new TelemetryStore(pipelineOnly().database()).countAll();
        }

        /** Telemetry records appended and not yet stored (pipeline only). */
        long backlog() {
            return pipelineOnly().processors().get("store").backlog();
        }

        private Backend pipelineOnly() {
            if (backend == null) {
                throw new IllegalStateException("the hub runs without the backend (ingest): no store");
            }
            return backend;
        }

        @Override
        public void close() {
            if (backend != null) {
                backend.close();
                return;
            }
            hub.close();
            streams.forEach(FileStream::close);
        }
    }

    /**
     * Calls {@code method} on random connected devices at {@code perSecond} (open loop) for {@code duration},
     * then waits for the answers; returns "calls ok p50 p99 p999" (round trips in microseconds).
     */
    private static String callMethods(DeviceCommands commands, List<RegistrationId> ids, double perSecond, Duration duration, MethodName method) {
        Recorder roundTrips = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        SplittableRandom random = new SplittableRandom(42);
        long period = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long calls = 0;
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        for (long next = start; next < start + duration.toNanos(); next += period) {
            LockSupport.parkNanos(next - System.nanoTime());
            DeviceId id = ids.get(random.nextInt(ids.size())).toDeviceId();
            if (!commands.isConnected(id)) {
                continue;
            }
            long sent = System.nanoTime();
            calls++;
            commands.invokeMethod(id, method, empty, Duration.ofSeconds(30)).whenComplete((r, e) -> {
                roundTrips.recordValue((System.nanoTime() - sent) / 1000);
                if (e == null && r.status() == 200) {
                    ok.incrementAndGet();
                }
                answered.incrementAndGet();
            });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(35).toNanos();
        while (answered.get() < calls && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        Histogram h = roundTrips.getIntervalHistogram();
        return calls + " " + ok.get() + " " + h.getValueAtPercentile(50) + " " + h.getValueAtPercentile(99) + " " + h.getValueAtPercentile(99.9);
    }
}

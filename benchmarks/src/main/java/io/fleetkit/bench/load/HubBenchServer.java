package io.fleetkit.bench.load;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.MessageContext;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The fleetkit hub as a system under test, in its own JVM: either its ingest (hub + DPS, routing,
 * durable streams with fsync before PUBACK, nothing reading them) or the whole backend (the store
 * processor into H2, device state, the API) plus a probe on the telemetry stream that records publish → handler latency from the {@code sentMicros} reading the
 * load generator puts in each message ({@code System.nanoTime()} is the machine's monotonic clock,
 * shared by processes).
 *
 * <p>Arguments: {@code PKI-DIR DATA-DIR PORT ID-PREFIX DEVICES THROTTLE ingest|pipeline}, or {@code … kafka BOOTSTRAP
 * JDBC-URL USER} for the whole backend on Kafka and PostgreSQL. The devices are registered up
 * front (a connect storm measures the hub, not DPS). Line protocol as in {@link ServerProcess}, plus
 * {@code connected}, {@code stored}, {@code rows} and {@code backlog} (pipeline), {@code gc} (one full collection: used
 * heap after it and its pause in ms), {@code latency} (and reset), {@code stages} (each stage since the last {@code stages}: see {@link PhaseStages}),
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
        try (Assembly hub = switch (args[6]) {
            case "pipeline" -> Assembly.pipeline(pki, data, port, throttle, latency, null);
            case "kafka" -> Assembly.pipeline(pki, data, port, throttle, latency, Production.create(args[7], args[8], args[9]));
            default -> Assembly.ingest(pki, data, port, throttle);
        }) {
            PhaseStages stages = new PhaseStages(hub.hub().gateway().timings());
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
                    .on("stages", "STAGES", a -> {
                        hub.awaitProcessed(); // every group's last batch committed: its stages are recorded
                        return stages.interval();
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
    private record Assembly(EmbeddedHub hub, Backend backend, List<FileStream> streams, Production production) implements AutoCloseable {
        /** The whole backend: on the file log and H2 under {@code data}, or on {@code production}'s broker and database. */
        static Assembly pipeline(PkiDirectory pki, Path data, int port, ThrottleProfile throttle, Recorder latency, Production production) {
            LatencyProbe probe = new LatencyProbe(latency);
            Backend.Builder builder = Backend.builder(pki, data).http("127.0.0.1", 0)
                    .hub(h -> h.bind("127.0.0.1").port(port).throttle(throttle))
                    .processor("telemetry", LatencyProbe.GROUP, probe);
            if (production != null) {
                builder.kafka(production.kafka()).database(production.database());
            }
            Backend backend = builder.start();
            probe.published = backend.hub().gateway().timings().series(StageTimings.Stage.PUBLISHED, LatencyProbe.GROUP);
            return new Assembly(backend.hub(), backend, List.of(), production);
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
            return new Assembly(hub, null, opened, null);
        }

        /** Telemetry rows stored, or (ingest only) records appended to the telemetry stream. */
        long stored() {
            if (backend != null) {
                return backend.processors().get("store").handled();
            }
            return streams.stream().filter(s -> s.name().equals("telemetry")).mapToLong(Backend::recordsIn).sum();
        }

        /** With the backend: waits (up to 30 s) until every processor group has committed what the streams hold. */
        void awaitProcessed() {
            if (backend != null) {
                backend.awaitProcessed(Duration.ofSeconds(30));
            }
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
                try {
                    backend.close();
                } finally {
                    if (production != null) {
                        production.close();
                    }
                }
                return;
            }
            hub.close();
            streams.forEach(FileStream::close);
        }
    }

    /**
     * A processor on the telemetry stream that knows each message's send time ({@code sentMicros}, the generator's
     * {@code System.nanoTime()}: the machine's monotonic clock, shared by processes): publish → handler into the bench's
     * recorder, and publish → accepted (that less the hub's accepted → now, on the wall clock) as the path's first stage.
     */
    private static final class LatencyProbe implements DeviceMessageHandler {
        static final String GROUP = "latency-probe";
        private final Recorder latency;
        volatile StageTimings.Series published; // set once the backend (and its timings) exist, before any device connects

        LatencyProbe(Recorder latency) {
            this.latency = latency;
        }

        @Override
        public void onTelemetry(MessageContext context, Telemetry message) {
            if (message.readings().get(SENT_MICROS) instanceof Reading.Num sent) {
                long toHandler = System.nanoTime() / 1000 - (long) sent.value();
                latency.recordValue(Math.max(0, toHandler));
                StageTimings.Series s = published;
                if (s != null) {
                    s.record(toHandler - ChronoUnit.MICROS.between(context.enqueuedTime(), Instant.now()));
                }
            }
        }
    }

    /**
     * The stage latencies of a phase: each {@code stages} answers what every series recorded since the previous one (the
     * difference of two {@link StageTimings#totals()}), as {@code part/stage/count/p50/p99/p999} words in microseconds.
     */
    static final class PhaseStages {
        private final StageTimings timings;
        private Map<String, Histogram> previous = Map.of();

        PhaseStages(StageTimings timings) {
            this.timings = timings;
        }

        synchronized String interval() {
            Map<String, Histogram> now = new LinkedHashMap<>();
            StringBuilder out = new StringBuilder();
            for (StageTimings.Total t : timings.totals()) {
                String key = t.part() + "/" + t.stage().label();
                now.put(key, t.histogram());
                Histogram phase = t.histogram().copy();
                Histogram before = previous.get(key);
                if (before != null) {
                    phase.subtract(before);
                }
                out.append(out.isEmpty() ? "" : " ").append(key).append('/').append(phase.getTotalCount()).append('/')
                        .append(phase.getValueAtPercentile(50)).append('/').append(phase.getValueAtPercentile(99)).append('/')
                        .append(phase.getValueAtPercentile(99.9));
            }
            previous = now;
            return out.toString();
        }
    }

    /**
     * The production engines of one {@code fleetkit-kafka} run: topics {@code bench-{random}.{endpoint}} on the broker and a
     * schema {@code fk_bench_{random}} in the database, both made for the run and removed when it stops.
     */
    record Production(KafkaSettings kafka, Database database, String url, String user, String schema) implements AutoCloseable {
        static Production create(String bootstrap, String url, String user) {
            String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            String schema = "fk_bench_" + run;
            return new Production(KafkaSettings.bootstrap(bootstrap).withTopics("bench-" + run + ".{endpoint}"),
                    Database.open(url, user, ProductionEngines.password(), schema), url, user, schema);
        }

        /** Deletes the run's topics and drops its schema (the backend, closed first, has closed the database). */
        @Override
        public void close() {
            remove(kafka.bootstrapServers(), kafka.topic(""), url, user, schema);
        }

        /** Deletes the topics that start with {@code prefix} and drops {@code schema}; what fails is said on standard error. */
        static void remove(String bootstrap, String prefix, String url, String user, String schema) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(t -> t.startsWith(prefix)).toList();
                admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("could not delete the bench's topics " + prefix + "*: " + e);
            }
            try (Connection c = DriverManager.getConnection(url, user, ProductionEngines.password()); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                System.err.println("could not drop the bench's schema " + schema + ": " + e.getMessage());
            }
        }
    }

    /**
     * Calls {@code method} on random connected devices at {@code perSecond} (open loop) for {@code duration},
     * then waits for the answers; returns "calls ok p50 p99 p999" (round trips in microseconds).
     */
    static String callMethods(DeviceCommands commands, List<RegistrationId> ids, double perSecond, Duration duration, MethodName method) {
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

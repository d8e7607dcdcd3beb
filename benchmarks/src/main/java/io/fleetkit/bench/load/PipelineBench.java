package io.fleetkit.bench.load;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.MessageContext;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.store.Database;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.protocol.id.RegistrationId;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The backend's message path under load, one database at a time: Paho devices publish QoS 1
 * telemetry over TLS → hub → routing → durable stream (fsync before PUBACK) → the store processor
 * → rows in H2 or PostgreSQL.
 * <ol>
 *   <li>throughput, closed loop (each device keeps {@code window} messages unacknowledged):
 *       messages acknowledged per second, and stored rows per second until the last row is in;</li>
 *   <li>latency at half the stored rate, open loop: device publish → a handler on the telemetry
 *       stream (p50/p99/p99.9).</li>
 * </ol>
 * One warm-up run per database is discarded; the median of the rest is printed, H2 and PostgreSQL
 * alternating in one invocation so their ratio is meaningful on a noisy machine. Backend and
 * devices share this JVM (and the machine's cores).
 *
 * <p>Arguments: {@code [devices=16] [messagesPerDevice=2000] [runs=3] [databases=h2,postgres]}; PostgreSQL
 * at {@code FLEETKIT_BENCH_POSTGRES_URL} (default jdbc:postgresql://127.0.0.1:5432/test, user postgres).
 */
public final class PipelineBench {
    private static final long BASE_NANOS = System.nanoTime();
    private static final int WINDOW = 32;
    private static final Duration LATENCY_PHASE = Duration.ofSeconds(10);

    private PipelineBench() {
    }

    record Result(double ackedPerSecond, double storedPerSecond, double p50Ms, double p99Ms, double p999Ms, long latencySamples) {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int perDevice = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> databases = List.of((args.length > 3 ? args[3] : "h2,postgres").split(","));
        Path tmp = Files.createTempDirectory("fleetkit-pipeline");
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = PkiDirectory.init(tmp.resolve("pki"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        List<DeviceIdentity> ids = new ArrayList<>();
        for (int i = 1; i <= devices; i++) {
            ids.add(issuer.issueDevice(pki.intermediate(), RegistrationId.of(String.format("pipe-%03d", i)), KeyAlgorithm.EC_P256));
        }
        System.out.printf("pipeline run: %d devices × %d QoS 1 messages (window %d each), then %d s at half the stored rate; "
                + "%d warm-up + %d measured runs per database%n", devices, perDevice, WINDOW, LATENCY_PHASE.toSeconds(), 1, runs);
        Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
        for (int r = 0; r <= runs; r++) {
            for (String db : databases) {
                Result result = run(db, r, pki, ids, perDevice, tmp.resolve(db + "-" + r));
                System.out.printf("%s run %d%s: acked %.0f msg/s, stored %.0f rows/s; publish→handler at %.0f msg/s: p50 %.2f ms, p99 %.2f ms, "
                                + "p99.9 %.2f ms (%d samples)%n", db, r, r == 0 ? " (warm-up, discarded)" : "", result.ackedPerSecond(),
                        result.storedPerSecond(), result.storedPerSecond() / 2, result.p50Ms(), result.p99Ms(), result.p999Ms(),
                        result.latencySamples());
                if (r > 0) {
                    results.computeIfAbsent(db, k -> new ArrayList<>()).add(result);
                }
            }
        }
        System.out.println();
        System.out.println("| database | acked msg/s | PUBACK→stored rows/s | publish→handler p50 | p99 | p99.9 |");
        System.out.println("|---|---|---|---|---|---|");
        results.forEach((db, rs) -> System.out.printf("| %s | %.0f | %.0f | %.2f ms | %.2f ms | %.2f ms |%n", db,
                median(rs, Result::ackedPerSecond), median(rs, Result::storedPerSecond), median(rs, Result::p50Ms),
                median(rs, Result::p99Ms), median(rs, Result::p999Ms)));
        if (results.containsKey("h2") && results.containsKey("postgres")) {
            System.out.printf("stored rows/s, PostgreSQL / H2: %.2f× (medians of %d runs)%n",
                    median(results.get("postgres"), Result::storedPerSecond) / median(results.get("h2"), Result::storedPerSecond), runs);
        }
    }

    private static Result run(String db, int run, PkiDirectory pki, List<DeviceIdentity> ids, int perDevice, Path data) throws Exception {
        String schema = "fleetkit_bench_" + run + "_" + System.currentTimeMillis();
        Database database = switch (db) {
            case "h2" -> Database.h2(data.resolve("store"));
            case "postgres" -> Database.open(System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                    System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_USER", "postgres"), System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_PASSWORD", ""), schema);
            default -> throw new IllegalArgumentException("database: h2 or postgres, was '" + db + "'");
        };
        Recorder latency = new Recorder(3);
        DeviceMessageHandler probe = new DeviceMessageHandler() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) {
                if (message.readings().get("sentNanos") instanceof Reading.Num sent) {
                    latency.recordValue(Math.max(0, System.nanoTime() - BASE_NANOS - (long) sent.value()));
                }
            }
        };
        try (Backend backend = Backend.builder(pki, data).database(database).hub(h -> h.port(0)).http("127.0.0.1", 0)
                .processor("telemetry", "latency-probe", probe).start()) {
            for (DeviceIdentity d : ids) { // the run measures messages, not DPS: devices are registered up front
                backend.hub().registry().createIfAbsent(d.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
            }
            List<MqttAsyncClient> clients = new ArrayList<>();
            for (DeviceIdentity d : ids) {
                clients.add(connect(backend.hub().port(), d, pki));
            }
            AtomicLong[] seq = new AtomicLong[ids.size()];
            Arrays.setAll(seq, i -> new AtomicLong());

            // 1. throughput, closed loop
            long total = (long) ids.size() * perDevice;
            long start = System.nanoTime();
            List<Thread> publishers = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                MqttAsyncClient c = clients.get(i);
                AtomicLong s = seq[i];
                Thread t = new Thread(() -> publishClosedLoop(c, s, perDevice), "publisher-" + i);
                t.start();
                publishers.add(t);
            }
            for (Thread t : publishers) {
                t.join();
            }
            double ackedSeconds = (System.nanoTime() - start) / 1e9;
            while (rows(backend.database()) < total) {
                LockSupport.parkNanos(5_000_000);
            }
            double storedSeconds = (System.nanoTime() - start) / 1e9;
            double storedRate = total / storedSeconds;
            backend.awaitProcessed(Duration.ofSeconds(60));

            // 2. latency at half the stored rate, open loop
            latency.reset();
            long sent = publishAtRate(clients, seq, storedRate / 2, LATENCY_PHASE);
            while (rows(backend.database()) < total + sent) {
                LockSupport.parkNanos(5_000_000);
            }
            backend.awaitProcessed(Duration.ofSeconds(60));
            Histogram h = latency.getIntervalHistogram();
            for (MqttAsyncClient c : clients) {
                c.disconnectForcibly(0, 1000, false);
                c.close(true);
            }
            return new Result(total / ackedSeconds, storedRate, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                    h.getValueAtPercentile(99.9) / 1e6, h.getTotalCount());
        } finally {
            if (db.equals("postgres")) {
                dropSchema(schema);
            }
        }
    }

    private static MqttAsyncClient connect(int port, DeviceIdentity d, PkiDirectory pki) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("ssl://127.0.0.1:" + port, d.deviceId().value(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(TlsContexts.forDevice(d, pki.trustAnchors()).getSocketFactory());
        options.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), "fleetkit-bench").format());
        options.setMaxInflight(WINDOW * 2);
        options.setHttpsHostnameVerificationEnabled(false);
        options.setKeepAliveInterval(60);
        client.connect(options).waitForCompletion(30_000);
        return client;
    }

    private static void publishClosedLoop(MqttAsyncClient client, AtomicLong seq, int count) {
        Deque<IMqttDeliveryToken> pending = new ArrayDeque<>();
        try {
            for (int i = 0; i < count; i++) {
                if (pending.size() >= WINDOW) {
                    pending.removeFirst().waitForCompletion(30_000);
                }
                pending.addLast(publish(client, seq.incrementAndGet()));
            }
            while (!pending.isEmpty()) {
                pending.removeFirst().waitForCompletion(30_000);
            }
        } catch (MqttException e) {
            throw new IllegalStateException("device " + client.getClientId() + ": " + e, e);
        }
    }

    /** Publishes round-robin over the devices at {@code rate} messages/s for {@code duration}; returns how many. */
    private static long publishAtRate(List<MqttAsyncClient> clients, AtomicLong[] seq, double rate, Duration duration) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        AtomicLong published = new AtomicLong();
        long periodNanos = Math.max(1, (long) (1e9 / rate));
        long end = System.nanoTime() + duration.toNanos();
        List<IMqttDeliveryToken> tokens = java.util.Collections.synchronizedList(new ArrayList<>());
        var task = timer.scheduleAtFixedRate(() -> {
            long n = published.getAndIncrement();
            int i = (int) (n % clients.size());
            try {
                tokens.add(publish(clients.get(i), seq[i].incrementAndGet()));
            } catch (MqttException e) {
                published.decrementAndGet();
                seq[i].decrementAndGet();
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(10_000_000);
        }
        task.cancel(false);
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        for (IMqttDeliveryToken t : tokens) {
            t.waitForCompletion(30_000);
        }
        return published.get();
    }

    private static IMqttDeliveryToken publish(MqttAsyncClient client, long seq) throws MqttException {
        byte[] body = DeviceMessageCodec.CODEC.toJson(new Telemetry(seq, Instant.now(),
                Map.of("temperature", Reading.of(20 + seq % 10), "sentNanos", Reading.of(System.nanoTime() - BASE_NANOS))));
        MqttMessage m = new MqttMessage(body);
        m.setQos(1);
        for (int attempt = 0; ; attempt++) {
            try {
                return client.publish("devices/" + client.getClientId() + "/messages/events/type=telemetry", m);
            } catch (MqttException e) {
                // Paho counts a message in flight a little past its token's completion: wait for the slot
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT || attempt > 1000) {
                    throw e;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static long rows(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM telemetry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void dropSchema(String schema) {
        try (Connection c = java.sql.DriverManager.getConnection(
                System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_USER", "postgres"),
                System.getenv().getOrDefault("FLEETKIT_BENCH_POSTGRES_PASSWORD", ""));
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

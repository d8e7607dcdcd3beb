package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.ConsumerOffsets;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.store.TestDatabases;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.BackendProcess;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.testing.PartitionProxy;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults beyond a kill, each while devices publish QoS 1 telemetry and keep what is not acknowledged (resending on every
 * new connection): the store's database stopped and started again, the hub's process stopped (SIGSTOP) for 20 s and
 * continued, the devices' network black-holed and then cut. Each ends with every acknowledged message stored exactly once;
 * where the server can see the fault it says so in /healthz and /metrics while it lasts. (The full disk is
 * {@link DiskFullIT}; a kill with a torn tail is {@link BackendCrashIT}.)
 */
@Timeout(300)
@ThrowAwayPki.Use
class FaultInjectionIT {
    private static final int DEVICES = 4;
    private static final int PER_SECOND = 100;
    private static final int WINDOW = 16;

    @TempDir
    Path tmp;

    @Test
    void theDatabaseStoppedAndStartedAgain(ThrowAwayPki throwAway) throws Exception {
        String cluster = postgresCluster();
        String schema = TestDatabases.newSchemaName();
        Fleet fleet = new Fleet(tmp, throwAway);
        try (BackendProcess backend = fleet.start(List.of("-Dfleetkit.test.postgres.schema=" + schema))) {
            ApiClient api = new ApiClient(backend.httpPort());
            List<ResendingPublisher> devices = fleet.publish(i -> backend.hubPort());
            try {
                Eventually.until("400 messages acknowledged", Duration.ofSeconds(30), () -> acknowledged(devices) >= 400);
                pg(cluster, "stop");
                long ackedWhileDown;
                try {
                    ApiClient.Response down = api.await("/healthz", h -> h.status() == 503 && "DOWN".equals(h.json().get("checks").get("store").asText()),
                            Duration.ofSeconds(30));
                    System.out.println("database stopped: /healthz " + down.text());
                    long before = acknowledged(devices);
                    double backlog = metric(api, "fleetkit_processor_backlog", "group=\"store\"");
                    LockSupport.parkNanos(Duration.ofSeconds(3).toNanos());
                    ackedWhileDown = acknowledged(devices) - before;
                    assertThat(metric(api, "fleetkit_processor_backlog", "group=\"store\"")).as("the store's backlog in /metrics, growing")
                            .isGreaterThan(backlog + ackedWhileDown / 2.0);
                    assertThat(metric(api, "fleetkit_processor_failures", "group=\"store\"")).as("failed store attempts counted").isPositive();
                } finally {
                    pg(cluster, "start");
                }
                System.out.printf("acknowledged while the database was down: %d (the hub acknowledges the durable append, not the row)%n",
                        ackedWhileDown);
                assertThat(ackedWhileDown).as("PUBACKs in 3 s at %d messages/s", DEVICES * PER_SECOND)
                        .isGreaterThan(DEVICES * PER_SECOND * 3 / 2);
                api.await("/healthz", h -> h.status() == 200, Duration.ofSeconds(60));
                Eventually.until("the store's backlog drained", Duration.ofSeconds(60),
                        () -> metric(api, "fleetkit_processor_backlog", "group=\"store\"") < 100);
            } finally {
                stop(devices);
            }
            try (Database db = TestDatabases.postgres(schema)) {
                Eventually.until("every acknowledged message stored", Duration.ofSeconds(60), () -> storedAll(db, fleet, devices));
                assertStoredExactlyOnce(db, fleet, devices);
            }
        } finally {
            TestDatabases.dropPostgresSchema(schema);
        }
    }

    @Test
    void theHubProcessStoppedFor20Seconds(ThrowAwayPki throwAway) throws Exception {
        Fleet fleet = new Fleet(tmp, throwAway);
        List<ResendingPublisher> devices;
        try (BackendProcess backend = fleet.start(List.of())) {
            ApiClient api = new ApiClient(backend.httpPort());
            devices = fleet.publish(i -> backend.hubPort());
            try {
                Eventually.until("400 messages acknowledged", Duration.ofSeconds(30), () -> acknowledged(devices) >= 400);
                signal("STOP", backend.process().pid());
                long before = acknowledged(devices);
                LockSupport.parkNanos(Duration.ofSeconds(20).toNanos());
                long whileStopped = acknowledged(devices) - before;
                signal("CONT", backend.process().pid());
                // what the kernel had buffered before the stop may be acknowledged; nothing new for 20 s
                assertThat(whileStopped).as("PUBACKs while the hub was stopped").isLessThanOrEqualTo(DEVICES * WINDOW);
                long resumed = acknowledged(devices);
                Eventually.until("publishing resumed", Duration.ofSeconds(60), () -> acknowledged(devices) >= resumed + 400);
                assertThat(api.get("/healthz", null).status()).as("healthy again").isEqualTo(200);
            } finally {
                stop(devices);
            }
        }
        assertStoredAfterRestart(fleet, devices);
    }

    @Test
    void theDevicesNetworkBlackHoledThenCut(ThrowAwayPki throwAway) throws Exception {
        Fleet fleet = new Fleet(tmp, throwAway);
        List<ResendingPublisher> devices;
        try (BackendProcess backend = fleet.start(List.of()); PartitionProxy network = new PartitionProxy(backend.hubPort())) {
            ApiClient api = new ApiClient(backend.httpPort());
            devices = fleet.publish(i -> network.port());
            try {
                Eventually.until("400 messages acknowledged", Duration.ofSeconds(30), () -> acknowledged(devices) >= 400);
                assertThat(metric(api, "fleetkit_hub_connected_devices", "")).isEqualTo(DEVICES);
                network.blackHole();
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos()); // what was on the wire arrives
                long before = acknowledged(devices);
                LockSupport.parkNanos(Duration.ofSeconds(4).toNanos());
                assertThat(acknowledged(devices) - before).as("PUBACKs through a black hole").isZero();
                network.cut();
                Eventually.until("the hub sees the devices gone, in /metrics", Duration.ofSeconds(10),
                        () -> metric(api, "fleetkit_hub_connected_devices", "") == 0);
                assertThat(api.get("/healthz", null).status()).as("a device-side partition is not the server's fault").isEqualTo(200);
                LockSupport.parkNanos(Duration.ofSeconds(3).toNanos());
                network.heal();
                long healed = acknowledged(devices);
                Eventually.until("publishing resumed", Duration.ofSeconds(60), () -> acknowledged(devices) >= healed + 400);
                Eventually.until("the devices back, in /metrics", Duration.ofSeconds(10),
                        () -> metric(api, "fleetkit_hub_connected_devices", "") == DEVICES);
                assertThat(devices).allMatch(d -> d.connections() >= 2, "connected again after the cut");
            } finally {
                stop(devices);
            }
        }
        assertStoredAfterRestart(fleet, devices);
    }

    /** The PKI, the devices and the data directory one test uses. */
    private static final class Fleet {
        final CertificateIssuer issuer = new CertificateIssuer();
        final PkiDirectory pki;
        final Path data;
        final Path log;
        final List<DeviceIdentity> identities = new ArrayList<>();

        Fleet(Path tmp, ThrowAwayPki throwAway) throws IOException {
            pki = throwAway.directory();
            data = tmp.resolve("data");
            log = tmp.resolve("backend.err");
            for (int i = 1; i <= DEVICES; i++) {
                identities.add(issuer.issueDevice(pki.intermediate(), RegistrationId.of("fault-" + i), KeyAlgorithm.EC_P256));
            }
        }

        BackendProcess start(List<String> jvmOptions) throws IOException {
            return BackendProcess.start(pki.dir(), data, log, jvmOptions);
        }

        /** Registers every device through DPS, then starts each publishing to {@code port(i)}. */
        List<ResendingPublisher> publish(IntFunction<Integer> port) throws Exception {
            List<ResendingPublisher> out = new ArrayList<>();
            for (int i = 0; i < identities.size(); i++) {
                DeviceIdentity d = identities.get(i);
                var tls = TlsContexts.forDevice(d, pki.trustAnchors());
                PahoLifecycleIT.register(port.apply(i), d, tls);
                out.add(new ResendingPublisher(port.apply(i), d.deviceId(), tls, WINDOW, null, PER_SECOND));
            }
            return out;
        }
    }

    private static long acknowledged(List<ResendingPublisher> devices) {
        return devices.stream().mapToLong(d -> d.acknowledged().size()).sum();
    }

    private static void stop(List<ResendingPublisher> devices) throws InterruptedException {
        for (ResendingPublisher d : devices) {
            d.stop();
        }
    }

    /** A backend started again on the data directory (the process was killed) has every acknowledged message, once. */
    private static void assertStoredAfterRestart(Fleet fleet, List<ResendingPublisher> devices) {
        try (Backend restarted = Backend.builder(fleet.pki, fleet.data).hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            assertThat(restarted.awaitProcessed(Duration.ofSeconds(60))).as(() -> "caught up within 60 s of the restart; " + lag(restarted))
                    .isTrue();
            try {
                assertStoredExactlyOnce(restarted.database(), fleet, devices);
            } catch (AssertionError e) {
                String where;
                try {
                    where = whereTheMissingAre(restarted, fleet, devices);
                } catch (RuntimeException | AssertionError lookFailed) { // the failure above stays the one reported
                    where = "where they are could not be told: " + lookFailed;
                }
                throw new AssertionError(e.getMessage() + "\n" + where, e);
            }
        }
    }

    /**
     * For a failure message: each device's acknowledged sequence numbers that are not stored, and whether the stream has them
     * (at which offset) — telling a hub that acknowledged what it did not append from a processor that skipped what it has —
     * with each partition's end, checkpoint and the store's saved position.
     */
    private static String whereTheMissingAre(Backend restarted, Fleet fleet, List<ResendingPublisher> devices) {
        TelemetryStore store = new TelemetryStore(restarted.database());
        ConsumerOffsets offsets = new ConsumerOffsets(restarted.database());
        Stream telemetry = restarted.streams().get("telemetry");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < devices.size(); i++) {
            DeviceId id = fleet.identities.get(i).deviceId();
            Set<Long> missing = new TreeSet<>(devices.get(i).acknowledged());
            store.query(id, Instant.EPOCH, Instant.now().plusSeconds(3600), 1_000_000).forEach(r -> missing.remove(r.seq()));
            if (missing.isEmpty()) {
                continue;
            }
            int partition = telemetry.partitionOf(id);
            out.append(String.format("%s: acknowledged %d (%d..%d), missing %s (found by primary key: %s); partition %d ends at %d,"
                            + " checkpoint %d, store's position %s;", id, devices.get(i).acknowledged().size(),
                    devices.get(i).acknowledged().first(), devices.get(i).acknowledged().last(), missing,
                    byPrimaryKey(restarted.database(), id, missing), partition, telemetry.endOffset(partition),
                    telemetry.committed("store", partition), offsets.next("store", "telemetry", partition)));
            for (long offset = telemetry.startOffset(partition); offset < telemetry.endOffset(partition); ) {
                List<StreamRecord> batch = telemetry.read(partition, offset, 1000);
                if (batch.isEmpty()) {
                    out.append(" unreadable at offset ").append(offset).append(';');
                    break;
                }
                for (StreamRecord r : batch) {
                    if (r.deviceId().equals(id) && decodes(r) instanceof Telemetry t && missing.contains(t.seq())) {
                        out.append(" seq ").append(t.seq()).append(" at offset ").append(r.offset()).append(';');
                    }
                }
                offset = batch.get(batch.size() - 1).offset() + 1;
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The record's message, or null when it does not decode (the processor skips those too). */
    private static DeviceMessage decodes(StreamRecord r) {
        try {
            return DeviceMessageCodec.CODEC.fromJson(r.body());
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** Which of {@code seqs} a lookup by the telemetry table's primary key finds (the query above goes by the time index). */
    private static Set<Long> byPrimaryKey(Database db, DeviceId id, Set<Long> seqs) {
        Set<Long> found = new TreeSet<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM telemetry WHERE device_id = ? AND seq = ?")) {
            for (long seq : seqs) {
                ps.setString(1, id.value());
                ps.setLong(2, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        found.add(seq);
                    }
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("looking up rows by primary key: " + e.getMessage(), e);
        }
        return found;
    }

    /** Each processor's backlog, health and failures, for a failure message. */
    private static String lag(Backend backend) {
        StringBuilder out = new StringBuilder();
        backend.processors().forEach((name, p) -> out.append(String.format("%s: backlog %d, %s, %d failures; ", name, p.backlog(),
                p.health(), p.failures())));
        for (int look = 0; look < 2; look++) { // twice, a second apart: does anything still append?
            backend.streams().forEach((name, s) -> {
                out.append(name).append(" ends at");
                for (int p = 0; p < s.partitions(); p++) {
                    out.append(' ').append(s.endOffset(p));
                }
                out.append("; ");
            });
            out.append(look == 0 ? "a second later: " : "");
            LockSupport.parkNanos(Duration.ofSeconds(1 - look).toNanos());
        }
        out.append("connected: ").append(backend.hub().devices().connectedCount()).append("; backlog now ")
                .append(backend.processors().values().stream().mapToLong(p -> p.backlog()).sum());
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("processor-")) {
                out.append("\n").append(t.getName()).append(' ').append(t.getState());
                for (int i = 0; i < Math.min(12, stack.length); i++) {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    private static boolean storedAll(Database db, Fleet fleet, List<ResendingPublisher> devices) {
        TelemetryStore store = new TelemetryStore(db);
        for (int i = 0; i < devices.size(); i++) {
            if (store.count(fleet.identities.get(i).deviceId()) < devices.get(i).acknowledged().size()) {
                return false;
            }
        }
        return true;
    }

    private static void assertStoredExactlyOnce(Database db, Fleet fleet, List<ResendingPublisher> devices) {
        TelemetryStore store = new TelemetryStore(db);
        long total = 0;
        for (int i = 0; i < devices.size(); i++) {
            List<TelemetryStore.Row> rows = store.query(fleet.identities.get(i).deviceId(), Instant.EPOCH, Instant.now().plusSeconds(3600), 1_000_000);
            Set<Long> stored = new TreeSet<>();
            rows.forEach(r -> stored.add(r.seq()));
            assertThat(rows).as("each stored once").hasSize(stored.size());
            assertThat(stored).as("every acknowledged sequence number of %s stored", fleet.identities.get(i).deviceId())
                    .containsAll(devices.get(i).acknowledged());
            total += devices.get(i).acknowledged().size();
        }
        System.out.printf("%d acknowledged messages of %d devices, every one stored once%n", total, devices.size());
    }

    /** The value of {@code name} in /metrics on the line whose labels contain {@code label}. */
    private static double metric(ApiClient api, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(api.get("/metrics", null).text());
        while (m.find()) {
            if (m.group(1) == null ? label.isEmpty() : m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError(name + (label.isEmpty() ? "" : "{" + label + "}") + " is not in /metrics");
    }


    private static void signal(String signal, long pid) throws Exception {
        run("kill", "-" + signal, Long.toString(pid));
    }

    /** The local PostgreSQL cluster's version ("15"), when this machine's is the Debian one the tests may stop and start. */
    private static String postgresCluster() throws IOException {
        Path clusters = Path.of("/etc/postgresql");
        Assumptions.assumeTrue(Files.isDirectory(clusters) && Files.isExecutable(Path.of("/usr/bin/pg_ctlcluster"))
                        && "root".equals(System.getProperty("user.name")) && TestDatabases.POSTGRES_URL.contains("127.0.0.1:5432"),
                "stopping PostgreSQL needs the local Debian cluster (pg_ctlcluster) and root");
        try (var versions = Files.list(clusters)) {
            return versions.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void pg(String cluster, String action) throws Exception {
        if (action.equals("stop")) {
            run("pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", cluster, "main", "stop");
        } else {
            run("pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", action);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s: %s", String.join(" ", command), out).isTrue();
    }
}

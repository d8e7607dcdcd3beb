package io.fleetkit.bench.load;

import io.fleetkit.firmware.swarm.Swarm;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench cluster}: one logical hub on N hub-node processes sharing one port (SO_REUSEPORT) and a backend process,
 * on Kafka and PostgreSQL; the devices in swarm processes of at most ~17,000 each, each from its own source address. Measures
 * the time until every device is online, heap and resident memory per device on each node, direct-method round trips through
 * the cluster's command port against one process's (in the same run), a command-topic round trip on the broker (the mechanism
 * not chosen), and, after one node is killed with SIGKILL (and started again when the others cannot hold every device), the
 * seconds until every device is online again and the acknowledged
 * messages lost (stopped telemetry drained, rows in the store against the PUBACKs the devices saw). Fails (exit status 1) when
 * any acknowledged message was lost or any device gave up.
 */
public final class ClusterScenario {
    /** Devices per swarm process: below the 20,000 descriptors a process may hold and the ~28,000 one source address reaches. */
    static final int PER_SWARM = 17_000;
    /** Devices per hub node: each holds one descriptor per connection, at most 20,000 per process. */
    static final int PER_NODE = 19_000;
    private static final String PREFIX = "cluster-";

    private final LoadRun load;
    private final int nodes;
    private final int devices;
    private final double rateMultiplier;
    private final int methodRate;
    private final Duration methodDuration;
    private final int baselineDevices;

    public ClusterScenario(LoadRun load, int nodes, int devices, double rateMultiplier, int methodRate, Duration methodDuration, int baselineDevices) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.nodes = nodes;
        this.devices = devices;
        this.rateMultiplier = rateMultiplier;
        this.methodRate = methodRate;
        this.methodDuration = methodDuration;
        this.baselineDevices = baselineDevices;
    }

    /** What one step measured. */
    record Online(double seconds, int online, int gaveUp) {
    }

    record NodeMemory(int node, int connected, long heapAfterGc, long resident) {
    }

    record Methods(double calls, double ok, double p50Ms, double p99Ms, double p999Ms) {
        static Methods parse(String answer, Duration duration) {
            String[] v = answer.split(" ");
            return new Methods(Double.parseDouble(v[0]), Double.parseDouble(v[1]), Long.parseLong(v[2]) / 1000.0, Long.parseLong(v[3]) / 1000.0,
                    Long.parseLong(v[4]) / 1000.0);
        }
    }

    record Ending(long telemetryAcknowledged, long unacknowledged, long rows) {
        long lost() {
            return Math.max(0, telemetryAcknowledged - rows);
        }
    }

    public void run() {
        LoadRun.checkRange("--nodes", nodes, 2, 12, " hub nodes");
        LoadRun.checkRange("--devices", devices, nodes, (long) nodes * PER_NODE, " (" + PER_NODE + " per hub node: its descriptors)");
        if (!(rateMultiplier > 0 && rateMultiplier <= 1000)) {
            throw LoadRun.invalid("--rate-multiplier must be above 0 and at most 1000, was " + rateMultiplier);
        }
        LoadRun.checkRange("--method-rate", methodRate, 1, 10_000, " calls/s");
        LoadRun.checkRange("--method-duration", methodDuration.toSeconds(), 1, 600, " seconds");
        LoadRun.checkRange("--baseline-devices", baselineDevices, 1, 19_000, "");
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        ProductionEngines engines = ws.engines();
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String schema = "fk_bench_" + run;
        String topics = "bench-" + run + ".{endpoint}";
        ClusterBenchProcesses processes = new ClusterBenchProcesses(ws, engines, schema, topics, PREFIX, devices);
        Map<String, Object> results = new LinkedHashMap<>();
        try {
            Methods baseline = baseline(ws, err);
            double[] commandTopic = CommandTopicRoundTrip.measure(engines.kafkaBootstrap(), "bench-" + run + ".commands", 300);
            err.printf("a command topic on the broker (the mechanism not chosen): round trip p50 %.2f ms, p99 %.2f ms%n", commandTopic[0], commandTopic[1]);
            err.flush();
            int port = ServerProcess.freePort();
            processes.startNodes(nodes, port, err);
            double[] nodeHop = NodeHopRoundTrip.measure(engines, schema, ws.pki(), 1, 300);
            err.printf("a forwarded command's hop to a node's command endpoint (the mechanism chosen): round trip p50 %.2f ms, p99 %.2f ms%n",
                    nodeHop[0], nodeHop[1]);
            err.flush();
            registerDevices(engines, schema);
            int swarms = Math.max(3, (devices + PER_SWARM - 1) / PER_SWARM);
            processes.startSwarms(swarms, port, load.threads(), rateMultiplier, err);
            // at least 8 minutes, and 50 devices a second beyond that: every JVM, the broker and the database share the cores
            Online online = awaitOnline(processes, "online", Duration.ofSeconds(Math.max(480, devices / 50)), err);
            err.printf("all %d devices online in %.1f s: %s per node; telemetry at %.0f messages/s for 20 s …%n", devices, online.seconds(),
                    processes.connectedPerNode(), devices * rateMultiplier / 60);
            err.flush();
            Thread.sleep(20_000);
            List<NodeMemory> memory = processes.memory();
            List<Methods> methods = new ArrayList<>();
            for (int r = 0; r <= load.runs(); r++) {
                // the warm-up run is at least 30 s: seven fresh JVMs share the two cores, and the command path compiles late
                long seconds = r == 0 ? Math.max(30, methodDuration.toSeconds()) : methodDuration.toSeconds();
                Methods m = Methods.parse(processes.backend().ask("methods " + methodRate + " " + seconds + " getDiagnostics",
                        "METHODS"), methodDuration);
                err.printf("methods %s: %.0f calls, %.0f answered 200, p50 %.2f ms, p99 %.2f ms%n", r == 0 ? "warm-up" : "run " + r, m.calls(),
                        m.ok(), m.p50Ms(), m.p99Ms());
                err.flush();
                if (r > 0) {
                    methods.add(m);
                }
            }
            // node 1 SIGKILLed; when the others cannot hold every device (20,000 descriptors a process here) it is started again,
            // as a supervisor would: its devices reconnect to whichever node the kernel hands them, the restarted one included
            boolean restart = devices > (long) (nodes - 1) * PER_NODE;
            int victim = processes.killNode(1);
            err.printf("node 1 killed (SIGKILL, %d devices were on it)%s; waiting for every device to be online again …%n", victim,
                    restart ? "; the " + (nodes - 1) + " others can hold at most " + (nodes - 1) * PER_NODE + " devices, so it is started again" : "");
            err.flush();
            long killed = System.nanoTime();
            if (restart) {
                processes.restartNode(1);
                err.printf("node 1 started again %.1f s after the kill%n", (System.nanoTime() - killed) / 1e9);
                err.flush();
            }
            Online after = awaitOnline(processes, "online again", Duration.ofMinutes(restart ? 10 : 5), err);
            Online recovered = new Online((System.nanoTime() - killed) / 1e9, after.online(), after.gaveUp());
            err.printf("every device online again %.1f s after the kill%n", recovered.seconds());
            err.flush();
            Ending ending = processes.drain(Duration.ofMinutes(3), err);
            results.put("baseline", baseline);
            results.put("commandTopic", commandTopic);
            results.put("nodeHop", nodeHop);
            results.put("online", online);
            results.put("memory", memory);
            results.put("methods", methods);
            results.put("victim", victim);
            results.put("restarted", restart);
            results.put("recovered", recovered);
            results.put("ending", ending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            processes.close();
            HubBenchServer.Production.remove(engines.kafkaBootstrap(), "bench-" + run + ".", engines.databaseUrl(), engines.databaseUser(), schema);
            ws.deleteScratch();
        }
        ClusterReport.of(load, nodes, devices, rateMultiplier, methodRate, methodDuration, baselineDevices, results).publish(load.out(), ws.results());
        Ending ending = (Ending) results.get("ending");
        Online recovered = (Online) results.get("recovered");
        if (ending.lost() > 0 || recovered.gaveUp() > 0 || ending.unacknowledged() > 0) {
            throw new IllegalStateException("the cluster run failed: " + ending.lost() + " acknowledged messages lost, " + recovered.gaveUp()
                    + " devices gave up, " + ending.unacknowledged() + " messages never acknowledged");
        }
    }

    /** One process (the hub and backend on the file log and H2), the same calls at the same rate: what the cluster adds. */
    private Methods baseline(BenchWorkspace ws, PrintWriter err) throws InterruptedException {
        int port = ServerProcess.freePort();
        err.printf("baseline: one process, %d devices, methods at %d/s …%n", baselineDevices, methodRate);
        err.flush();
        try (ServerProcess server = BenchSystem.FLEETKIT.start(ws, baselineDevices, "off", port);
             Swarm swarm = SwarmLoad.start(ws.identities(baselineDevices), ws.pki().trustAnchors(), port, load.threads(), SwarmLoad.MAX_STARTING)) {
            if (Double.isNaN(SwarmLoad.awaitOnline(swarm, baselineDevices, System.nanoTime(), Duration.ofMinutes(3)))) {
                throw new IllegalStateException("the baseline's devices did not all come online within 3 minutes: " + swarm.metrics().failures());
            }
            List<Methods> runs = new ArrayList<>();
            for (int r = 0; r <= load.runs(); r++) {
                Methods m = Methods.parse(server.ask("methods " + methodRate + " " + methodDuration.toSeconds() + " getDiagnostics", "METHODS"),
                        methodDuration);
                if (r > 0) {
                    runs.add(m);
                }
            }
            Methods median = ClusterReport.median(runs);
            err.printf("baseline: p50 %.2f ms, p99 %.2f ms (median of %d runs)%n", median.p50Ms(), median.p99Ms(), runs.size());
            err.flush();
            return median;
        }
    }

    /** The registry in the run's schema holds every device (as DPS would have put them there), in batches. */
    private void registerDevices(ProductionEngines engines, String schema) {
        try (Connection c = DriverManager.getConnection(engines.databaseUrl(), engines.databaseUser(), ProductionEngines.password());
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".registry (device_id, status, authentication, created) "
                     + "VALUES (?, 'ENABLED', 'X509_CA_SIGNED', ?) ON CONFLICT DO NOTHING")) {
            c.setAutoCommit(false);
            Timestamp now = Timestamp.from(Instant.now());
            for (int i = 1; i <= devices; i++) {
                ps.setString(1, String.format("%s%05d", PREFIX, i));
                ps.setTimestamp(2, now);
                ps.addBatch();
                if (i % 5000 == 0 || i == devices) {
                    ps.executeBatch();
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register the bench's devices in " + schema + ": " + e.getMessage(), e);
        }
    }

    /** Waits until every device is online in the swarms, printing progress every 5 s; fails after {@code timeout}. */
    private Online awaitOnline(ClusterBenchProcesses processes, String what, Duration timeout, PrintWriter err) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextProgress = start + 5_000_000_000L;
        while (true) {
            int[] state = processes.online();
            if (state[0] >= devices) {
                return new Online((System.nanoTime() - start) / 1e9, state[0], state[1]);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(state[0] + " of " + devices + " devices " + what + " after " + timeout.toSeconds() + " s ("
                        + state[1] + " gave up); see the logs under " + load.work());
            }
            if (System.nanoTime() > nextProgress) {
                err.printf("  %5.0f s  %d of %d %s, %d gave up (provisioning %d, connecting %d, backing off %d); per node %s%n",
                        (System.nanoTime() - start) / 1e9, state[0], devices, what, state[1], state[2], state[3], state[4], processes.connectedPerNode());
                err.flush();
                nextProgress += 5_000_000_000L;
            }
            Thread.sleep(500);
        }
    }
}

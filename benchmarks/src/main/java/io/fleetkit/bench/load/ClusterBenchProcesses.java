package io.fleetkit.bench.load;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The processes of one {@code bench cluster} run: hub nodes 1…N and the backend (node 0) as {@link ClusterNodeServer}s, the
 * swarms as {@link ClusterSwarmPeer}s from 127.0.0.2, 127.0.0.3 …; asked over their control channels, closed together.
 */
final class ClusterBenchProcesses implements AutoCloseable {
    private static final String NODE_HEAP = "-Xmx1536m";
    private static final String SWARM_HEAP = "-Xmx1536m";

    private final BenchWorkspace ws;
    private final ProductionEngines engines;
    private final String schema;
    private final String topics;
    private final String prefix;
    private final int devices;
    private final Map<Integer, ServerProcess> hubNodes = new TreeMap<>();
    private ServerProcess backend;
    private final List<ServerProcess> swarms = new ArrayList<>();
    private int port;

    ClusterBenchProcesses(BenchWorkspace ws, ProductionEngines engines, String schema, String topics, String prefix, int devices) {
        this.ws = ws;
        this.engines = engines;
        this.schema = schema;
        this.topics = topics;
        this.prefix = prefix;
        this.devices = devices;
    }

    /** Hub nodes 1…n on {@code port} (one after the other: the first migrates the schema and makes the topics), then the backend. */
    void startNodes(int n, int port, PrintWriter err) {
        this.port = port;
        for (int node = 1; node <= n; node++) {
            hubNodes.put(node, node(node, "hub", "cluster-node-" + node));
        }
        backend = node(0, "backend", "cluster-node-0");
        err.printf("%d hub nodes share 127.0.0.1:%d; the backend is node 0%n", n, port);
        err.flush();
    }

    private ServerProcess node(int node, String role, String name) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), NODE_HEAP));
        cmd.addAll(ws.serverJvmOptions(name));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterNodeServer.class.getName(), ws.pki().dir().toString(),
                ws.scratch(name).toString(), Integer.toString(port), Integer.toString(node), role, engines.kafkaBootstrap(), topics,
                engines.databaseUrl(), engines.databaseUser(), schema, prefix, Integer.toString(devices)));
        return ServerProcess.startControlled(role + " node " + node, cmd, ws.log(name), Duration.ofMinutes(2));
    }

    /** {@code count} swarm processes, each with its slice of the devices and its own source address; issues, then starts them. */
    void startSwarms(int count, int port, int threads, double rateMultiplier, PrintWriter err) {
        int per = (devices + count - 1) / count;
        for (int i = 0; i < count; i++) {
            int first = i * per + 1;
            int n = Math.min(per, devices - i * per);
            if (n <= 0) {
                break;
            }
            String name = "cluster-swarm-" + (i + 1);
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), SWARM_HEAP, "-cp",
                    System.getProperty("java.class.path"), ClusterSwarmPeer.class.getName(), ws.pki().dir().toString(), prefix,
                    Integer.toString(first), Integer.toString(n), Integer.toString(port), Integer.toString(threads), "127.0.0." + (i + 2),
                    Double.toString(rateMultiplier));
            swarms.add(ServerProcess.startControlled("swarm " + (i + 1), cmd, ws.log(name), Duration.ofMinutes(5)));
        }
        err.printf("%d swarm processes issued their identities (from 127.0.0.2 …); starting %d devices%n", swarms.size(), devices);
        err.flush();
        swarms.forEach(s -> s.ask("start", "STARTED"));
    }

    ServerProcess backend() {
        return backend;
    }

    /** Devices online, gave up, provisioning (with DPS), connecting (to the hub) and backing off, over all swarms. */
    int[] online() {
        int[] sum = new int[5];
        for (ServerProcess s : swarms) {
            String[] v = s.ask("online", "ONLINE").split(" ");
            for (int i = 0; i < sum.length; i++) {
                sum[i] += Integer.parseInt(v[i]);
            }
        }
        return sum;
    }

    /** node → connections it holds now. */
    Map<Integer, Integer> connectedPerNode() {
        Map<Integer, Integer> out = new TreeMap<>();
        hubNodes.forEach((node, p) -> out.put(node, Integer.parseInt(p.ask("connected", "CONNECTED"))));
        return out;
    }

    List<ClusterScenario.NodeMemory> memory() {
        List<ClusterScenario.NodeMemory> out = new ArrayList<>();
        hubNodes.forEach((node, p) -> out.add(new ClusterScenario.NodeMemory(node, Integer.parseInt(p.ask("connected", "CONNECTED")),
                p.heapAfterGc(), p.residentBytes())));
        return out;
    }

    /** Kills hub node {@code node} with SIGKILL; returns the devices it held. */
    int killNode(int node) throws InterruptedException {
        ServerProcess p = hubNodes.remove(node);
        int held = Integer.parseInt(p.ask("connected", "CONNECTED"));
        p.kill();
        return held;
    }

    /** Starts hub node {@code node} again after {@link #killNode} (as a supervisor restarts a crashed process), on the same port. */
    void restartNode(int node) {
        hubNodes.put(node, node(node, "hub", "cluster-node-" + node + "-restarted"));
    }

    /** Stops new telemetry everywhere, waits until every message is acknowledged, then until the store holds as many rows. */
    ClusterScenario.Ending drain(Duration timeout, PrintWriter err) throws InterruptedException {
        err.println("stopping the telemetry; waiting for every message to be acknowledged and stored …");
        err.flush();
        long acknowledged = 0;
        long unacknowledged = 0;
        for (ServerProcess s : swarms) {
            String[] v = s.ask("drain", "DRAINED").split(" ");
            acknowledged += Long.parseLong(v[0]);
            unacknowledged += Long.parseLong(v[1]);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long rows;
        while ((rows = Long.parseLong(backend.ask("rows", "ROWS"))) < acknowledged && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        err.printf("%d telemetry messages acknowledged, %d rows stored, %d never acknowledged%n", acknowledged, rows, unacknowledged);
        err.flush();
        return new ClusterScenario.Ending(acknowledged, unacknowledged, rows);
    }

    @Override
    public void close() {
        swarms.forEach(ServerProcess::close);
        if (backend != null) {
            backend.close();
        }
        hubNodes.values().forEach(ServerProcess::close);
    }
}

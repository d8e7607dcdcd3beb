package io.fleetkit.backend.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.gateway.MqttDeviceCommands;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.hub.ConnectionDirectory;
import io.fleetkit.backend.store.ClusterStore;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * This process as a node of a hub cluster: registered in the store with its command endpoint, alive by its heartbeat, and the
 * connection directory of its gateway (each connection recorded before its CONNACK; an older connection of the same device on
 * another node closed — IoT Hub's newest connection wins). Every node also forgets the connections of nodes that died
 * (SIGKILL, a lost host) once their heartbeat is older than the liveness window, and reports those devices disconnected.
 * One scheduler thread does the heartbeat and the sweep; {@link #health()} is DOWN when the heartbeat has not been written
 * for the liveness window (the other nodes then count this one dead) or another process took the node id over.
 */
public final class ClusterNode implements ConnectionDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The default liveness window: a node whose heartbeat is older is dead to the others. */
    public static final Duration LIVENESS = Duration.ofSeconds(10);

    /** What a process of the cluster runs: the hub (gateway, DPS, routing into the streams), the backend (processors, API), or both. */
    public enum Role {
        HUB, BACKEND, ALL;

        public boolean runsHub() {
            return this != BACKEND;
        }

        public boolean runsBackend() {
            return this != HUB;
        }
    }

    /**
     * @param nodeId   unique in the cluster (0–32767)
     * @param bind     where the command endpoint listens (the other nodes must reach it; 127.0.0.1 on one host)
     * @param port     its port; 0 for a free one (the store tells the others)
     * @param liveness how old a heartbeat may be before the node counts as dead
     */
    public record Options(int nodeId, Role role, String bind, int port, Duration liveness) {
        public Options {
            if (nodeId < 0 || nodeId > 32767) {
                throw new IllegalArgumentException("node id: 0–32767, was " + nodeId);
            }
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(bind, "bind");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("cluster port: 0–65535, was " + port);
            }
            if (liveness.compareTo(Duration.ofSeconds(2)) < 0) {
                throw new IllegalArgumentException("liveness: at least 2 s, was " + liveness);
            }
        }
    }

    private final ClusterStore store;
    private final Options options;
    private final String instance;
    private final Vertx vertx;
    private final NodeCommandServer server;
    private final NodeCommandClient client;
    private final String address;
    private final ScheduledExecutorService scheduler;
    private final ThreadPoolExecutor writer;
    private final LongAdder writesDropped = new LongAdder();
    private volatile MqttDeviceCommands local;
    private volatile java.util.function.IntConsumer hubNodesListener = n -> { };
    private volatile int connectedCount;
    private volatile long lastHeartbeat = System.nanoTime();
    private volatile Instant downSince;
    private volatile String downReason;

    private ClusterNode(ClusterStore store, Options options, String instance, Vertx vertx, NodeCommandServer server, NodeCommandClient client) {
        this.store = store;
        this.options = options;
        this.instance = instance;
        this.vertx = vertx;
        this.server = server;
        this.client = client;
        this.address = options.bind() + ":" + server.port();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fleetkit-cluster-" + options.nodeId()));
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000),
                r -> daemon(r, "fleetkit-cluster-writer"));
    }

    /**
     * Joins the cluster whose shared state is in {@code store}: starts the command endpoint, checks that no running process
     * holds the node id, registers, and starts the heartbeat.
     *
     * @throws IllegalStateException when another running process is node {@code nodeId}, or the endpoint cannot listen
     */
    public static ClusterNode join(ClusterStore store, PkiDirectory pki, Options options) {
        byte[] secret = store.secret().getBytes(StandardCharsets.US_ASCII);
        String instance = HexFormat.of().formatHex(randomBytes(8));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        NodeCommandClient client = new NodeCommandClient(vertx, pki, secret);
        NodeCommandServer server = null;
        try {
            Optional<ClusterStore.Node> existing = store.node(options.nodeId());
            if (existing.isPresent() && existing.get().live()) {
                String answer = answerOf(client, existing.get().address());
                if (answer != null) {
                    throw new IllegalStateException("node " + options.nodeId() + " is already running (" + existing.get().role().toLowerCase()
                            + " at " + existing.get().address() + ", heartbeat at " + existing.get().heartbeat() + "); give every node its own --node-id");
                }
            }
            ClusterNode[] self = new ClusterNode[1];
            server = NodeCommandServer.start(vertx, pki, options.bind(), options.port(), secret, options.nodeId(), instance,
                    () -> self[0] == null ? null : self[0].local);
            ClusterNode node = new ClusterNode(store, options, instance, vertx, server, client);
            self[0] = node;
            node.previousRun = store.register(options.nodeId(), instance, options.role().name(), node.address);
            LOG.info("node {} ({}) joined the cluster; commands for its devices at {}{}", options.nodeId(), options.role().name().toLowerCase(),
                    node.address, node.previousRun.isEmpty() ? "" : "; forgot the " + node.previousRun.size() + " connections of its previous run");
            long beat = Math.max(500, options.liveness().toMillis() / 5);
            node.scheduler.scheduleWithFixedDelay(node::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
            long sweep = Math.max(1000, options.liveness().toMillis() / 2);
            node.scheduler.scheduleWithFixedDelay(node::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
            return node;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            client.close();
            vertx.close();
            throw e;
        }
    }

    private static String answerOf(NodeCommandClient client, String address) {
        try {
            return client.ping(address).get(3, TimeUnit.SECONDS);
        } catch (Exception unreachable) {
            return null; // its heartbeat is recent but nothing answers there: it died within the liveness window
        }
    }

    /** The devices connected to this process (its gateway); commands from the other nodes go to them. */
    public void attach(MqttDeviceCommands localDevices) {
        this.local = Objects.requireNonNull(localDevices, "localDevices");
    }

    /** Told the number of live hub nodes (this one included) after every heartbeat: the hub's throttles are shared among them. */
    public void onHubNodes(java.util.function.IntConsumer listener) {
        this.hubNodesListener = Objects.requireNonNull(listener, "listener");
    }

    public int nodeId() {
        return options.nodeId();
    }

    /** Devices connected to any live node, counted with each heartbeat (every 2 s). */
    public int connectedCount() {
        return connectedCount;
    }

    public Options options() {
        return options;
    }

    /** host:port of this node's command endpoint. */
    public String address() {
        return address;
    }

    ClusterStore store() {
        return store;
    }

    NodeCommandClient client() {
        return client;
    }

    /** Directory writes dropped because the writer's queue was full (a store that cannot keep up). */
    public long writesDropped() {
        return writesDropped.sum();
    }

    // --- the connection directory of this node's gateway ---

    @Override
    public void connecting(DeviceId deviceId, String connectionId, byte[] certificate) {
        store.connected(deviceId, options.nodeId(), connectionId, certificate).ifPresent(replaced -> {
            if (replaced.nodeId() != options.nodeId()) {
                closeElsewhere(deviceId, replaced);
            } // on this node, the gateway closes the older connection itself when the new one attaches
        });
    }

    private void closeElsewhere(DeviceId deviceId, ClusterStore.Replaced replaced) {
        Long silentUntil = unreachable.get(replaced.nodeId());
        if (silentUntil != null && System.nanoTime() - silentUntil < 0) {
            return; // it did not answer a moment ago: it died, and its heartbeat is about to say so
        }
        Optional<ClusterStore.Node> node = store.node(replaced.nodeId());
        if (node.isEmpty() || !node.get().live()) {
            return; // a dead node's connections are gone with it
        }
        client.closeReplaced(node.get().address(), deviceId, replaced.connectionId()).whenComplete((closed, e) -> {
            if (e == null) {
                unreachable.remove(replaced.nodeId());
                return;
            }
            Long before = unreachable.put(replaced.nodeId(), System.nanoTime() + options.liveness().toNanos());
            if (before == null || System.nanoTime() - before > 0) {
                LOG.warn("node {} at {} does not answer ({}): devices that reconnect here from it are not closed there; its heartbeat "
                        + "will expire within {} s if it died", replaced.nodeId(), node.get().address(), e.getMessage(), options.liveness().toSeconds());
            }
        });
    }

    /** Devices whose connections this node's previous run held (it died and was restarted): reported disconnected by the first sweep. */
    private volatile List<DeviceId> previousRun = List.of();

    /** Nodes that did not answer: not asked again until the nanoTime given (by then their heartbeat has expired if they died). */
    private final java.util.Map<Integer, Long> unreachable = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void disconnected(DeviceId deviceId, String connectionId) {
        try {
            writer.execute(() -> {
                try {
                    store.disconnected(deviceId, connectionId);
                } catch (RuntimeException e) {
                    LOG.warn("the disconnection of {} could not be recorded: {}", deviceId, e.getMessage());
                }
            });
        } catch (RejectedExecutionException full) {
            // the row stays until the device connects again; commands meanwhile reach this node, which answers "not connected"
            writesDropped.increment();
        }
    }

    // --- heartbeat and sweep ---

    private void heartbeat() {
        try {
            if (store.heartbeat(options.nodeId(), instance)) {
                lastHeartbeat = System.nanoTime();
                long hubs = store.nodes().stream().filter(n -> n.live() && !n.role().equals(Role.BACKEND.name())).count();
                hubNodesListener.accept((int) Math.max(1, hubs));
                connectedCount = (int) store.connectedCount();
                if (downReason != null && downReason.startsWith("the heartbeat")) {
                    LOG.info("node {}: the heartbeat is written again", options.nodeId());
                    downReason = null;
                    downSince = null;
                }
            } else if (downReason == null || !downReason.startsWith("another process")) {
                down("another process registered as node " + options.nodeId() + "; this one no longer counts as a node");
                LOG.error("node {}: {}", options.nodeId(), downReason);
            }
        } catch (RuntimeException e) {
            if (System.nanoTime() - lastHeartbeat > options.liveness().toNanos() && downReason == null) {
                down("the heartbeat could not be written for " + options.liveness().toSeconds() + " s: " + e.getMessage());
                LOG.error("node {}: {}", options.nodeId(), downReason);
            }
        }
    }

    private void down(String reason) {
        downReason = reason;
        downSince = Instant.now();
    }

    /** Forgets the connections of dead nodes and reports their devices disconnected (through this node's connection listeners). */
    private void sweep() {
        MqttDeviceCommands devices = local;
        if (devices == null) {
            return;
        }
        try {
            List<DeviceId> gone = previousRun;
            if (!gone.isEmpty()) {
                gone.forEach(devices::reportGoneElsewhere);
                LOG.info("node {}: {} devices connected to its previous run reported disconnected", options.nodeId(), gone.size());
                previousRun = List.of();
            }
            do {
                gone = store.sweepDeadNodes(1000);
                gone.forEach(devices::reportGoneElsewhere);
                if (!gone.isEmpty()) {
                    LOG.info("node {}: {} devices of a dead node reported disconnected", options.nodeId(), gone.size());
                }
            } while (gone.size() == 1000);
        } catch (RuntimeException e) {
            LOG.warn("node {}: sweeping dead nodes' connections failed: {}", options.nodeId(), e.getMessage());
        }
    }

    /** UP while the heartbeat is written and the node id is this process's. */
    public Health health() {
        String reason = downReason;
        if (reason == null && System.nanoTime() - lastHeartbeat > options.liveness().toNanos()) {
            return Health.down("no heartbeat written for " + options.liveness().toSeconds() + " s", Instant.now());
        }
        return reason == null ? Health.ok() : Health.down(reason, downSince);
    }

    /** The cluster at a glance: nodes, live or not, and their connected devices. */
    public com.fasterxml.jackson.databind.node.ObjectNode describe() {
        var o = JSON.createObjectNode().put("nodeId", options.nodeId()).put("role", options.role().name().toLowerCase());
        var counts = store.connectedByNode();
        var nodes = o.putArray("nodes");
        for (ClusterStore.Node n : store.nodes()) {
            nodes.addObject().put("nodeId", n.nodeId()).put("role", n.role().toLowerCase()).put("address", n.address())
                    .put("live", n.live()).put("heartbeat", n.heartbeat().toString()).put("connectedDevices", counts.getOrDefault(n.nodeId(), 0L));
        }
        return o;
    }

    /** Leaves the cluster: the heartbeat ends at once (the others count the node dead) and its connections are forgotten. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
            store.leave(options.nodeId(), instance);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("node {} could not unregister: {}", options.nodeId(), e.getMessage());
        }
        server.close();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}

package io.fleetkit.backend.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.api.DevTokenIssuer;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TestDatabases;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.BackendProcess;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.Eventually;
import io.fleetkit.testing.ThrowAwayPki;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One logical hub on three hub-node processes and a backend process (PostgreSQL, Kafka), as {@code fleetkit serve --node-id N
 * --role hub|backend} runs them: the nodes share one port (SO_REUSEPORT, the kernel picks a node per connection), commands from
 * the backend's REST API and from any node's reach the device on its node, the newest connection of a device wins across
 * nodes, and a node killed with SIGKILL loses nothing its devices had acknowledged while they come back through the others.
 * The processes' standard error goes to {@code target/hub-cluster-it/}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = 3;
    private static final int MESSAGES_PER_DEVICE = 60;

    private ThrowAwayPki pki;
    private final String schema = TestDatabases.newSchemaName();
    private final String topics = "cluster-" + UUID.randomUUID().toString().substring(0, 8) + ".{endpoint}";
    private final Map<Integer, BackendProcess> hubNodes = new HashMap<>();
    private BackendProcess backend;
    private Database db;
    private int hubPort;
    private ApiClient api;
    private String operator;
    private final List<ClusterDevice> devices = new ArrayList<>();
    private final ExecutorService answering = Executors.newSingleThreadExecutor();

    /** A device: its identity, and its connection (replaced when it reconnects); it answers every direct method. */
    private final class ClusterDevice implements AutoCloseable {
        final DeviceIdentity identity;
        final SSLContext tls;
        final String hub;
        volatile PahoDevice connection;

        ClusterDevice(String id) throws Exception {
            identity = pki.device(id);
            tls = TlsContexts.forDevice(identity, pki.directory().trustAnchors());
            hub = PahoLifecycleIT.register(hubPort, identity, tls);
            connection = connect();
        }

        PahoDevice connect() throws MqttException {
            PahoDevice d = new PahoDevice(hubPort, identity.deviceId().value());
            d.connect(HubUsername.of(HubHostName.of(hub), identity.deviceId(), "paho/1.2.5").format(), tls);
            d.client().subscribe("$iothub/twin/PATCH/properties/desired/#", 0);
            d.client().subscribe("$iothub/methods/POST/#", 0, (topic, message) -> {
                String rid = topic.substring(topic.indexOf("$rid=") + 5);
                String answer = "{\"answeredBy\":\"" + identity.deviceId() + "\"}";
                // not on Paho's callback thread: a blocking publish there waits for a completion only that thread delivers
                answering.execute(() -> {
                    try {
                        d.client().publish("$iothub/methods/res/200/?$rid=" + rid, answer.getBytes(StandardCharsets.UTF_8), 0, false);
                    } catch (MqttException lost) {
                        // the connection broke; the caller sees a timeout
                    }
                });
            });
            return d;
        }

        String id() {
            return identity.deviceId().value();
        }

        @Override
        public void close() throws MqttException {
            connection.close();
        }
    }

    @BeforeAll
    void startTheCluster() throws Exception {
        pki = ThrowAwayPki.create();
        try (ServerSocket free = new ServerSocket(0)) {
            hubPort = free.getLocalPort();
        }
        hubNodes.put(1, start(1, "hub")); // the first one migrates the schema and makes the topics; the others start together
        Map<Integer, java.util.concurrent.CompletableFuture<BackendProcess>> starting = new HashMap<>();
        for (int n = 2; n <= NODES; n++) {
            int node = n;
            starting.put(n, java.util.concurrent.CompletableFuture.supplyAsync(() -> startUnchecked(node, "hub")));
        }
        java.util.concurrent.CompletableFuture<BackendProcess> backendStarting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> startUnchecked(9, "backend"));
        RuntimeException failed = null;
        for (var e : starting.entrySet()) { // every process that did start is kept, so that @AfterAll stops it
            try {
                hubNodes.put(e.getKey(), e.getValue().join());
            } catch (RuntimeException ex) {
                failed = ex;
            }
        }
        try {
            backend = backendStarting.join();
        } catch (RuntimeException ex) {
            failed = ex;
        }
        if (failed != null) {
            throw failed;
        }
        db = TestDatabases.postgres(schema);
        api = new ApiClient(backend.httpPort());
        operator = DevTokenIssuer.loadOrCreate(pki.scratch("node-9").resolve("dev-issuer.jwk")).mint("ops", true, Duration.ofHours(1));
    }

    private BackendProcess startUnchecked(int node, String role) {
        try {
            return start(node, role);
        } catch (Exception e) {
            throw new IllegalStateException("node " + node + " (" + role + ") did not start: " + e.getMessage(), e);
        }
    }

    private BackendProcess start(int node, String role) throws Exception {
        return BackendProcess.start(pki.directory().dir(), pki.scratch("node-" + node), java.nio.file.Files.createDirectories(Path.of("target", "hub-cluster-it")).resolve("node-" + node + ".err"),
                List.of("-Xmx384m", "-Dfleetkit.test.postgres.schema=" + schema, "-Dfleetkit.test.kafka.topics=" + topics,
                        "-Dfleetkit.test.cluster.node=" + node, "-Dfleetkit.test.cluster.role=" + role, "-Dfleetkit.test.hub.port=" + hubPort));
    }

    @AfterAll
    void stopTheCluster() throws Exception {
        for (ClusterDevice d : devices) {
            d.close();
        }
        for (BackendProcess p : hubNodes.values()) {
            p.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (db != null) {
            db.close();
        }
        TestDatabases.dropPostgresSchema(schema);
        pki.close();
        answering.shutdownNow();
    }

    @Test
    @Order(1)
    void devicesSpreadOverTheNodesAndCommandsFromTheRestApiReachEachOfThem() throws Exception {
        for (int i = 1; i <= 40 && holders().size() < NODES; i++) { // the kernel hashes each connection to a node: a few cover all three
            devices.add(new ClusterDevice(String.format("cluster-%03d", i)));
            ClusterDevice last = devices.get(devices.size() - 1);
            Eventually.until(last.id() + " in the device → node map", () -> nodeOf(last.id()).isPresent());
        }
        assertThat(holders()).as("devices on every hub node").hasSize(NODES);

        for (int node = 1; node <= NODES; node++) {
            ClusterDevice d = onNode(node);
            ApiClient.Response method = api.post("/api/v1/devices/" + d.id() + "/methods/getDiagnostics?timeoutSeconds=10", operator, "{}");
            assertThat(method.status()).as("method to %s on node %d: %s", d.id(), node, method.text()).isEqualTo(200);
            assertThat(method.json().get("payload").get("answeredBy").asText()).isEqualTo(d.id());

            String patch = "{\"properties\":{\"desired\":{\"telemetryIntervalSeconds\":" + (10 + node) + "}}}";
            ApiClient.Response patched = api.send(api.request("/api/v1/devices/" + d.id() + "/twin", operator)
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(patch)).header("Content-Type", "application/json"));
            assertThat(patched.status()).as("desired patch: %s", patched.text()).isEqualTo(200);
            long version = patched.json().get("properties").get("desired").get("$version").asLong();
            PahoDevice.Received got = d.connection.awaitTopic("$iothub/twin/PATCH/properties/desired/");
            assertThat(got.topic()).endsWith("?$version=" + version);
            assertThat(JSON.readTree(got.payload()).get("telemetryIntervalSeconds").asInt()).isEqualTo(10 + node);
            JsonNode twin = api.get("/api/v1/devices/" + d.id() + "/twin", operator).json();
            assertThat(twin.get("properties").get("desired").get("telemetryIntervalSeconds").asInt()).as("the shared twin").isEqualTo(10 + node);
        }

        // and from a hub node's own API, to a device on another node
        ClusterDevice elsewhere = onNode(2);
        ApiClient fromNode1 = new ApiClient(hubNodes.get(1).httpPort());
        String token1 = DevTokenIssuer.loadOrCreate(pki.scratch("node-1").resolve("dev-issuer.jwk")).mint("ops", true, Duration.ofHours(1));
        ApiClient.Response viaNode1 = fromNode1.post("/api/v1/devices/" + elsewhere.id() + "/methods/getDiagnostics?timeoutSeconds=10", token1, "{}");
        assertThat(viaNode1.status()).as(viaNode1.text()).isEqualTo(200);
        assertThat(api.post("/api/v1/devices/never-connected/methods/getDiagnostics?timeoutSeconds=5", operator, "{}").status())
                .as("a device no node holds").isEqualTo(404);
    }

    @Test
    @Order(2)
    void aSecondConnectionOfADeviceOnAnotherNodeClosesTheFirst() throws Exception {
        ClusterDevice d = devices.get(0);
        int first = nodeOf(d.id()).orElseThrow();
        for (int attempt = 0; attempt < 30; attempt++) {
            PahoDevice second = d.connect();
            Eventually.until("the second connection recorded", () -> nodeOf(d.id()).isPresent() && second.client().isConnected());
            int now = nodeOf(d.id()).orElseThrow();
            PahoDevice firstConnection = d.connection;
            d.connection = second;
            if (now != first) {
                Eventually.until("the first connection, on node " + first + ", closed by node " + now,
                        () -> !firstConnection.client().isConnected() && firstConnection.lost() != null);
                assertThat(second.client().isConnected()).isTrue();
                ApiClient.Response method = api.post("/api/v1/devices/" + d.id() + "/methods/getDiagnostics?timeoutSeconds=10", operator, "{}");
                assertThat(method.status()).as("the newest connection answers: %s", method.text()).isEqualTo(200);
                firstConnection.close();
                return;
            }
            // the kernel put it on the same node: the gateway closed the first one itself; try again from there
            Eventually.until("the older connection closed on its own node", () -> !firstConnection.client().isConnected());
            firstConnection.close();
        }
        throw new AssertionError("30 connections in a row landed on node " + first);
    }

    @Test
    @Order(3)
    void aKilledNodesDevicesComeBackThroughTheOthersAndEveryAcknowledgedMessageIsStoredOnce() throws Exception {
        Map<Integer, List<String>> byNode = holders();
        int victim = byNode.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size())).orElseThrow().getKey();
        List<String> victims = byNode.get(victim);
        AtomicLong acknowledged = new AtomicLong();
        Map<String, Integer> reconnects = new ConcurrentHashMap<>();
        ExecutorService publishers = Executors.newFixedThreadPool(devices.size());
        Instant t0 = Instant.now();
        List<Future<?>> running = new ArrayList<>();
        for (ClusterDevice d : devices) {
            running.add(publishers.submit(() -> {
                publishAll(d, t0, acknowledged, reconnects);
                return null;
            }));
        }
        Eventually.until("a third of the messages acknowledged", Duration.ofSeconds(60),
                () -> acknowledged.get() >= (long) devices.size() * MESSAGES_PER_DEVICE / 3);
        hubNodes.remove(victim).close(); // SIGKILL
        for (Future<?> f : running) {
            f.get(120, TimeUnit.SECONDS);
        }
        publishers.shutdown();
        long expected = (long) devices.size() * MESSAGES_PER_DEVICE;
        assertThat(acknowledged.get()).isEqualTo(expected);
        for (String id : victims) {
            assertThat(reconnects).as("%s was on the killed node %d", id, victim).containsKey(id);
            Eventually.until(id + " online through another node", Duration.ofSeconds(30),
                    () -> nodeOf(id).filter(n -> n != victim).isPresent());
        }
        Eventually.until("every acknowledged message stored", Duration.ofSeconds(60), () -> count("SELECT COUNT(*) FROM telemetry") == expected,
                () -> count("SELECT COUNT(*) FROM telemetry") + " rows of " + expected);
        assertThat(count("SELECT COUNT(*) FROM (SELECT DISTINCT device_id, seq FROM telemetry) t")).as("each once").isEqualTo(expected);
    }

    /**
     * Publishes seq 1…N as QoS 1 telemetry, one at a time; when the connection breaks (its node was killed) the device connects
     * again — the kernel hands it to a live node — and sends the unacknowledged message again, as a device does.
     */
    private void publishAll(ClusterDevice d, Instant t0, AtomicLong acknowledged, Map<String, Integer> reconnects) throws Exception {
        String topic = "devices/" + d.id() + "/messages/events/type=telemetry";
        for (long seq = 1; seq <= MESSAGES_PER_DEVICE; seq++) {
            MqttMessage m = new MqttMessage(DeviceMessageCodec.CODEC.toJson(new Telemetry(seq, t0.plusMillis(seq),
                    Map.of("temperature", Reading.of(20 + seq % 10)))));
            m.setQos(1);
            while (true) {
                try {
                    d.connection.client().publish(topic, m);
                    acknowledged.incrementAndGet();
                    break;
                } catch (MqttException lost) {
                    reconnects.merge(d.id(), 1, Integer::sum);
                    reconnect(d);
                }
            }
            Thread.sleep(20); // a device's pace, so that the kill falls while every device is sending
        }
    }

    /** Connects the device again until a live node takes it (the kernel stops handing connections to the killed one). */
    private static void reconnect(ClusterDevice d) throws Exception {
        d.connection.close();
        Eventually.until(d.id() + " connected again", Duration.ofSeconds(60), () -> {
            try {
                d.connection = d.connect();
                return true;
            } catch (MqttException refused) {
                return false;
            }
        });
    }

    private ClusterDevice onNode(int node) {
        return devices.stream().filter(d -> nodeOf(d.id()).orElse(-1) == node).findFirst().orElseThrow();
    }

    private Optional<Integer> nodeOf(String deviceId) {
        return query("SELECT node_id FROM device_connections WHERE device_id = ?", deviceId).stream().findFirst().map(Long::intValue);
    }

    private Map<Integer, List<String>> holders() {
        Map<Integer, List<String>> out = new HashMap<>();
        for (ClusterDevice d : devices) {
            nodeOf(d.id()).ifPresent(n -> out.computeIfAbsent(n, k -> new ArrayList<>()).add(d.id()));
        }
        return out;
    }

    private long count(String sql) {
        return query(sql).get(0);
    }

    private List<Long> query(String sql, Object... args) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

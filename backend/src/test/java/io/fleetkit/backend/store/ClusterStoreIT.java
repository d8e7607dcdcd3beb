package io.fleetkit.backend.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the nodes of a cluster share in PostgreSQL: nodes and heartbeats, the device → node map, twins. */
class ClusterStoreIT {
    private final String schema = TestDatabases.newSchemaName();
    private Database db;
    private ClusterStore store;

    @BeforeEach
    void open() {
        db = TestDatabases.postgres(schema);
        store = new ClusterStore(db, Duration.ofSeconds(2));
    }

    @AfterEach
    void close() {
        db.close();
        TestDatabases.dropPostgresSchema(schema);
    }

    @Test
    void theNewestConnectionWinsAndAnOlderOnesEndDoesNotUndoIt() {
        store.register(1, "i1", "HUB", "127.0.0.1:1001");
        store.register(2, "i2", "HUB", "127.0.0.1:1002");
        DeviceId d = DeviceId.of("dev-1");
        assertThat(store.connected(d, 1, "c1", new byte[]{1})).isEmpty();
        assertThat(store.connected(d, 2, "c2", new byte[]{2})).contains(new ClusterStore.Replaced(1, "c1"));
        assertThat(store.disconnected(d, "c1")).as("the older connection's end").isFalse();
        ClusterStore.Holder h = store.holder(d).orElseThrow();
        assertThat(h.nodeId()).isEqualTo(2);
        assertThat(h.address()).isEqualTo("127.0.0.1:1002");
        assertThat(h.certificate()).containsExactly(2);
        assertThat(store.connectedByNode()).containsEntry(2, 1L);
        assertThat(store.disconnected(d, "c2")).isTrue();
        assertThat(store.holder(d)).isEmpty();
    }

    @Test
    void aDeadNodesDevicesAreNotConnectedAndAreSweptOnce() throws Exception {
        store.register(1, "i1", "HUB", "127.0.0.1:1001");
        store.register(2, "i2", "HUB", "127.0.0.1:1002");
        store.connected(DeviceId.of("a"), 1, "ca", null);
        store.connected(DeviceId.of("b"), 2, "cb", null);
        io.fleetkit.testing.Eventually.until("node 1's heartbeat past the 2 s window", Duration.ofSeconds(10), () -> {
            store.heartbeat(2, "i2");
            return store.holder(DeviceId.of("a")).isEmpty();
        });
        assertThat(store.holder(DeviceId.of("b"))).isPresent();
        assertThat(store.connectedCount()).isEqualTo(1);
        assertThat(store.sweepDeadNodes(100)).containsExactly(DeviceId.of("a"));
        assertThat(store.sweepDeadNodes(100)).as("each once").isEmpty();
        assertThat(store.heartbeat(1, "someone-else")).as("another instance does not own node 1").isFalse();
        assertThat(store.register(1, "i1-again", "HUB", "127.0.0.1:1003")).as("swept already").isEmpty();
        store.connected(DeviceId.of("c"), 1, "cc", null);
        assertThat(store.register(1, "i1-restarted", "HUB", "127.0.0.1:1004")).as("a restart within the liveness window forgets its connections")
                .containsExactly(DeviceId.of("c"));
        assertThat(store.holder(DeviceId.of("c"))).isEmpty();
        assertThat(store.node(1)).map(ClusterStore.Node::live).contains(true);
    }

    @Test
    void everyNodeGetsTheSameSecret() {
        assertThat(store.secret()).hasSize(64).isEqualTo(new ClusterStore(db, Duration.ofSeconds(2)).secret());
    }

    @Test
    void aClusterNeedsPostgres(@org.junit.jupiter.api.io.TempDir Path dir) {
        try (Database h2 = Database.h2(dir)) {
            assertThatThrownBy(() -> new ClusterStore(h2, Duration.ofSeconds(10))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("PostgreSQL").hasMessageContaining("--database-url");
        }
    }

    @Test
    void twinsAreSharedAndEachPatchGetsItsOwnVersion() throws Exception {
        StoreTwins a = new StoreTwins(db);
        StoreTwins b = new StoreTwins(db);
        DeviceId d = DeviceId.of("twin-1");
        ObjectMapper json = new ObjectMapper();
        assertThat(a.get(d).desiredVersion()).isEqualTo(1);
        List<Long> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] writers = new Thread[4];
        for (int w = 0; w < writers.length; w++) {
            StoreTwins via = w % 2 == 0 ? a : b;
            int n = w;
            writers[w] = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    versions.add(via.patchDesired(d, (ObjectNode) json.createObjectNode().put("w" + n, i)));
                }
            });
            writers[w].start();
        }
        for (Thread t : writers) {
            t.join();
        }
        assertThat(versions).doesNotHaveDuplicates().hasSize(40);
        assertThat(b.get(d).desiredVersion()).isEqualTo(41);
        assertThat(b.get(d).desired().get("w3").asInt()).isEqualTo(9);
        assertThat(a.patchReported(d, (ObjectNode) json.readTree("{\"fw\":\"1.2\",\"nested\":{\"x\":1}}"))).isEqualTo(2);
        assertThat(a.patchReported(d, (ObjectNode) json.readTree("{\"nested\":{\"x\":null,\"y\":2}}"))).isEqualTo(3);
        assertThat(b.get(d).reported().toString()).isEqualTo("{\"fw\":\"1.2\",\"nested\":{\"y\":2}}");
        assertThat(Optional.ofNullable(b.get(DeviceId.of("never")).reported().get("fw"))).isEmpty();
    }
}

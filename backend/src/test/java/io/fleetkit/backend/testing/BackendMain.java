package io.fleetkit.backend.testing;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.cluster.ClusterNode;
import io.fleetkit.backend.gateway.GatewayLimits;
import io.fleetkit.backend.store.TestDatabases;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.nio.file.Path;

/**
 * A backend in a process of its own, for tests that kill it or give it a heap of its own:
 * {@code BackendMain PKI-DIR DATA-DIR [MAX-INFLIGHT INGEST-BUDGET-BYTES]} starts one on free ports (with
 * those gateway limits, when given), prints {@code ready HUB-PORT HTTP-PORT} and runs until killed. With
 * {@code -Dfleetkit.test.postgres.schema=NAME} its store is that schema of the test PostgreSQL ({@link TestDatabases}),
 * otherwise H2 in the data directory. With {@code -Dfleetkit.test.kafka.topics=PATTERN} its streams are those topics on the
 * test broker ({@link TestKafka}), otherwise the file log in the data directory. With {@code -Dfleetkit.test.cluster.node=N}
 * (and {@code -Dfleetkit.test.cluster.role=hub|backend|all}, {@code -Dfleetkit.test.hub.port=P}, the port the hub nodes share)
 * it is node N of a hub cluster; a process without a hub prints -1 as its hub port.
 */
public final class BackendMain {
    private BackendMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GatewayLimits limits = args.length < 4 ? GatewayLimits.defaults()
                : GatewayLimits.defaults().withInflight(Integer.parseInt(args[2]), Long.parseLong(args[3]));
        int hubPort = Integer.getInteger("fleetkit.test.hub.port", 0);
        Backend.Builder builder = Backend.builder(PkiDirectory.load(Path.of(args[0])), Path.of(args[1]))
                .hub(h -> h.port(hubPort).limits(limits)).http("127.0.0.1", 0);
        Integer node = Integer.getInteger("fleetkit.test.cluster.node");
        if (node != null) {
            ClusterNode.Role role = ClusterNode.Role.valueOf(System.getProperty("fleetkit.test.cluster.role", "all").toUpperCase());
            builder.cluster(new ClusterNode.Options(node, role, "127.0.0.1", 0, ClusterNode.LIVENESS));
        }
        String schema = System.getProperty("fleetkit.test.postgres.schema");
        if (schema != null) {
            builder.database(TestDatabases.postgres(schema));
        }
        String topics = System.getProperty("fleetkit.test.kafka.topics");
        if (topics != null) {
            builder.kafka(KafkaSettings.bootstrap(TestKafka.bootstrap()).withTopics(topics));
        }
        Backend backend = builder.start();
        System.out.println("ready " + (backend.hub() == null ? -1 : backend.hub().port()) + " " + backend.httpPort());
        System.out.flush();
        Thread.currentThread().join(); // until the test kills the process
    }
}

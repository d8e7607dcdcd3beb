package io.fleetkit.bench.load;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.cluster.ClusterNode;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One node of a hub cluster as a system under test, in its own JVM: {@code fleetkit serve --node-id N --role hub|backend} on
 * the run's topics and schema. Arguments: {@code PKI-DIR DATA-DIR PORT NODE-ID ROLE BOOTSTRAP TOPICS JDBC-URL USER SCHEMA
 * ID-PREFIX DEVICES}. Line protocol as in {@link ServerProcess}, plus {@code connected} (this node's connections; the
 * cluster's on the backend), {@code rows} and {@code backlog} (backend), {@code methods RATE SECONDS NAME} (backend: through
 * the cluster's command port, to random devices on every node).
 */
public final class ClusterNodeServer {
    private ClusterNodeServer() {
    }

    public static void main(String[] args) throws Exception {
        ControlChannel control = new ControlChannel();
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        int port = Integer.parseInt(args[2]);
        ClusterNode.Role role = ClusterNode.Role.valueOf(args[4].toUpperCase());
        Database db = Database.open(args[7], args[8], ProductionEngines.password(), args[9]);
        Backend backend = Backend.builder(pki, Path.of(args[1])).http("127.0.0.1", 0)
                .hub(h -> h.bind("127.0.0.1").port(port))
                .kafka(KafkaSettings.bootstrap(args[5]).withTopics(args[6])).database(db)
                .cluster(new ClusterNode.Options(Integer.parseInt(args[3]), role, "127.0.0.1", 0, ClusterNode.LIVENESS))
                .start();
        var ids = FactoryBatch.ids(args[10], 1, Integer.parseInt(args[11]));
        try {
            control.on("connected", "CONNECTED", a -> Integer.toString(backend.hub() != null
                            ? backend.hub().localDevices().connectedCount() : backend.commands().connectedCount()))
                    .on("rows", "ROWS", a -> Long.toString(new TelemetryStore(db).countAll()))
                    .on("backlog", "BACKLOG", a -> Long.toString(backend.processors().get("store").backlog()))
                    .on("methods", "METHODS", a -> HubBenchServer.callMethods(backend.commands(), ids, Double.parseDouble(a[1]),
                            Duration.ofSeconds(Long.parseLong(a[2])), io.fleetkit.protocol.id.MethodName.of(a[3])))
                    .serve(Integer.toString(port));
        } finally {
            backend.close();
        }
    }
}

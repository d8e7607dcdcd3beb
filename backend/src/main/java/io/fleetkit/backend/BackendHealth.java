package io.fleetkit.backend;

import io.fleetkit.backend.capture.Capture;
import io.fleetkit.backend.cluster.ClusterNode;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.kafka.KafkaEngine;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The checks {@code /healthz} runs, one per part of a running backend, in the order they are shown. */
final class BackendHealth {
    private BackendHealth() {
    }

    /** @param hub, node, engine null when this process has none */
    static Map<String, Supplier<Health>> checks(EmbeddedHub hub, ClusterNode node, Database db, KafkaEngine engine, Map<String, Stream> streams,
                                                Map<String, StreamProcessor> processors, List<Capture> capturing) {
        Map<String, Supplier<Health>> health = new LinkedHashMap<>();
        if (hub != null) {
            health.put("hub", () -> hub.gateway().health());
        }
        if (node != null) {
            health.put("cluster.node", node::health);
        }
        health.put("store", () -> db.health(Duration.ofSeconds(2)));
        if (engine != null) {
            health.put("streams.kafka", engine::health);
        }
        streams.forEach((name, stream) -> health.put("stream." + name, stream::health));
        processors.forEach((group, processor) -> health.put("processor." + group, processor::health));
        capturing.forEach(capture -> health.put("capture." + capture.streamName(), capture::health));
        return health;
    }
}

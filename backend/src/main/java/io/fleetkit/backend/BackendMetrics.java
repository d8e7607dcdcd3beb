package io.fleetkit.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.api.SwarmApi;
import io.fleetkit.backend.api.SwarmControl;
import io.fleetkit.backend.cluster.ClusterNode;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.latency.StageCollector;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.processing.DecodedMessages;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.kafka.KafkaStream;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;

/**
 * What the backend tells about itself: the Prometheus meters of {@code /metrics} and the fleet snapshot of the dashboard.
 * A process of a cluster without the hub ({@code --role backend}) has no gateway meters; the connected count is the
 * cluster's.
 */
final class BackendMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackendMetrics() {
    }

    /** @param hub null when this process runs no hub */
    static PrometheusMeterRegistry meters(EmbeddedHub hub, DeviceCommands commands, ClusterNode node, RoutingSink sink,
                                          Map<String, Stream> streams, Map<String, StreamProcessor> processors, StageTimings timings) {
        PrometheusMeterRegistry m = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        m.getPrometheusRegistry().register(new StageCollector(timings));
        new JvmMemoryMetrics().bindTo(m);
        Gauge.builder("fleetkit.hub.connected.devices", commands, DeviceCommands::connectedCount)
                .description(node == null ? "devices connected to the hub" : "devices connected to any live node of the cluster").register(m);
        if (hub != null) {
            hubMeters(m, hub);
            Gauge.builder("fleetkit.routing.dropped.messages", sink, RoutingSink::dropped).register(m);
        }
        if (node != null) {
            Gauge.builder("fleetkit.cluster.directory.writes.dropped", node, ClusterNode::writesDropped)
                    .description("disconnections not recorded in the cluster's directory because its writer was behind").register(m);
        }
        streams.forEach((name, s) -> Gauge.builder("fleetkit.stream.records", s, Backend::recordsIn).tag("stream", name).register(m));
        streams.forEach((name, s) -> {
            if (s instanceof KafkaStream k) {
                Gauge.builder("fleetkit.stream.append.failures", k, KafkaStream::failedAppends).tag("stream", name)
                        .description("appends the broker did not acknowledge (the device got no PUBACK and sends again)").register(m);
            }
        });
        processors.forEach((group, p) -> {
            Gauge.builder("fleetkit.processor.handled", p, StreamProcessor::handled).tag("group", group).register(m);
            Gauge.builder("fleetkit.processor.failures", p, StreamProcessor::failures).tag("group", group).register(m);
            Gauge.builder("fleetkit.processor.undecodable", p, StreamProcessor::undecodable).tag("group", group).register(m);
            Gauge.builder("fleetkit.processor.backlog", p, StreamProcessor::backlog).tag("group", group)
                    .description("records appended to the group's stream and not yet handled").register(m);
            // per stream, not per group: the groups on a stream register the same meter
            Gauge.builder("fleetkit.processor.shared.decodes", p.decoded(), DecodedMessages::shared).tag("stream", p.streamName())
                    .description("records of the stream decoded once for several of this process's groups: decodes saved").register(m);
        });
        return m;
    }

    private static void hubMeters(PrometheusMeterRegistry m, EmbeddedHub hub) {
        Gauge.builder("fleetkit.hub.ingest.held.bytes", hub.gateway().ingestBudget(), b -> b.held())
                .description("device-to-cloud payload bytes handed to the streams and not yet acknowledged").register(m);
        Gauge.builder("fleetkit.hub.ingest.paused.connections", hub.gateway().ingestBudget(), b -> b.pausedConnections())
                .description("connections not read from until the ingest budget has room").register(m);
        Gauge.builder("fleetkit.gateway.pending.connections", hub.gateway(), g -> g.pendingConnections())
                .description("connections accepted and not yet past CONNACK").register(m);
        Gauge.builder("fleetkit.gateway.refused.at.accept", hub.gateway(), g -> g.refusedAtAccept())
                .description("connections closed at accept: too many pending, overall or from one address").register(m);
        var refusals = hub.gateway().refusalLog();
        refusals.onNewKind(kind -> Gauge.builder("fleetkit.gateway.refusals", refusals, r -> r.count(kind)).tag("kind", kind)
                .description("connections and requests the gateway refused, by kind (a fixed set)").register(m));
        Gauge.builder("fleetkit.hub.c2d.completed", hub.cloudToDevice(), q -> q.completed()).register(m);
        Gauge.builder("fleetkit.hub.c2d.expired", hub.cloudToDevice(), q -> q.expired()).register(m);
        Gauge.builder("fleetkit.hub.c2d.dead.lettered", hub.cloudToDevice(), q -> q.deadLettered()).register(m);
        Gauge.builder("fleetkit.dps.throttled", hub.throttles(), t -> t.counters().dpsThrottled()).register(m);
    }

    /** The fleet at a glance, for the dashboard: counts only (rates are differences of two snapshots). */
    static ObjectNode fleet(EmbeddedHub hub, DeviceRegistry registry, DeviceCommands commands, Map<String, Stream> streams,
                            Map<String, StreamProcessor> processors, RoutingSink sink, SwarmControl swarm, StageTimings timings) {
        ObjectNode n = JSON.createObjectNode().put("time", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString())
                .put("devicesRegistered", registry.count()).put("devicesConnected", commands.connectedCount());
        ObjectNode records = n.putObject("streamRecords");
        streams.forEach((name, s) -> records.put(name, Backend.recordsIn(s)));
        ObjectNode handled = n.putObject("processed");
        processors.forEach((group, p) -> handled.put(group, p.handled()));
        if (hub != null) {
            var t = hub.throttles().counters();
            n.putObject("throttled").put("dps429", t.dpsThrottled()).put("connectsDelayed", t.connectsDelayed())
                    .put("connectsRefused", t.connectsRefused()).put("sendsDelayed", t.sendsDelayed()).put("sendsRefused", t.sendsRefused());
            n.put("throttleProfile", hub.throttles().profile().name());
            n.put("droppedMessages", sink.dropped()); // accepted, but no route took them
        } else { // a backend process of a cluster: the hub's counters are the hub nodes' (their /metrics)
            n.putObject("throttled").put("dps429", 0).put("connectsDelayed", 0).put("connectsRefused", 0).put("sendsDelayed", 0)
                    .put("sendsRefused", 0);
            n.put("throttleProfile", "on the hub nodes").put("droppedMessages", 0);
        }
        ObjectNode errors = n.putObject("processingFailures");
        processors.forEach((group, p) -> errors.put(group, p.failures() + p.undecodable()));
        var stages = n.putArray("stages"); // the last second of each stage, in ms: the dashboard's breakdown
        for (StageTimings.Reading r : timings.read()) {
            stages.addObject().put("part", r.part()).put("stage", r.stage().label()).put("from", r.stage().from()).put("to", r.stage().to())
                    .put("messages", r.windowCount()).put("p50", r.windowP50() / 1000.0).put("p99", r.windowP99() / 1000.0)
                    .put("p999", r.windowP999() / 1000.0);
            if (r.stage() == StageTimings.Stage.END_TO_END && r.part().equals("store") && r.windowCount() > 0) {
                n.putObject("endToEndMs").put("p50", r.windowP50() / 1000.0).put("p99", r.windowP99() / 1000.0); // accepted → row stored
            }
        }
        if (swarm != null) {
            n.set("swarm", SwarmApi.json(swarm.status()));
        }
        return n;
    }
}

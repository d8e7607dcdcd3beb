package io.fleetkit.backend.routing;

import static io.fleetkit.backend.stream.RecordProperties.CONNECTION_STATE_EVENTS;
import static io.fleetkit.backend.stream.RecordProperties.DEVICE_CONNECTED;
import static io.fleetkit.backend.stream.RecordProperties.DEVICE_DISCONNECTED;
import static io.fleetkit.backend.stream.RecordProperties.MESSAGE_SOURCE;
import static io.fleetkit.backend.stream.RecordProperties.MODEL_ID;
import static io.fleetkit.backend.stream.RecordProperties.OP_TYPE;

import io.fleetkit.backend.hub.ConnectionListener;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.mqtt.PropertyBag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub's device-to-cloud sink for the pipeline: routes each message and appends it to the
 * stream of every endpoint it matches. The returned stage completes only when every append is
 * durable, so the hub's PUBACK means "stored in all its endpoints"; if any append fails the
 * device gets no PUBACK and sends the message again (at-least-once: an endpoint that did store
 * it sees it twice). A message no route matches (fallback off) is dropped and counted, as in
 * IoT Hub.
 */
public final class RoutingSink implements DeviceToCloudSink {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingSink.class);
    private final Router router;
    private final Map<String, Stream> endpoints;
    private final LongAdder dropped = new LongAdder();

    /** @throws IllegalArgumentException when a route names an endpoint without a stream */
    public RoutingSink(Router router, Map<String, Stream> endpoints) {
        this.router = router;
        this.endpoints = Map.copyOf(endpoints);
        Set<String> missing = new TreeSet<>(router.endpoints());
        missing.removeAll(this.endpoints.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("routes use endpoints that have no stream: " + String.join(", ", missing)
                    + " (streams: " + String.join(", ", new TreeSet<>(this.endpoints.keySet())) + ")");
        }
    }

    @Override
    public CompletionStage<Void> accept(DeviceToCloudMessage message) {
        List<String> targets = router.route(RouteSource.DEVICE_MESSAGES, new RoutableMessage(message));
        if (targets.isEmpty()) {
            dropped.increment();
            return CompletableFuture.completedFuture(null);
        }
        StreamRecord record = StreamRecord.of(message.deviceId(), message.enqueuedTime(), message.properties().entries(), message.body());
        CompletableFuture<?>[] appends = new CompletableFuture<?>[targets.size()];
        for (int i = 0; i < appends.length; i++) {
            appends[i] = endpoints.get(targets.get(i)).append(record);
        }
        return CompletableFuture.allOf(appends);
    }

    /**
     * A listener for the hub that routes connection changes as device lifecycle events (source
     * {@link RouteSource#DEVICE_LIFECYCLE_EVENTS}; no fallback, as in IoT Hub). There is no device
     * to retry them, so a failed append is logged.
     */
    public ConnectionListener connectionEvents() {
        return (deviceId, connected, at, modelId) -> {
            PropertyBag.Builder builder = PropertyBag.builder().put(MESSAGE_SOURCE, CONNECTION_STATE_EVENTS)
                    .put(OP_TYPE, connected ? DEVICE_CONNECTED : DEVICE_DISCONNECTED);
            if (modelId != null) {
                builder.put(MODEL_ID, modelId);
            }
            PropertyBag props = builder.build();
            byte[] body = ("{\"opType\":\"" + (connected ? DEVICE_CONNECTED : DEVICE_DISCONNECTED) + "\"}").getBytes(StandardCharsets.UTF_8);
            DeviceToCloudMessage event = new DeviceToCloudMessage(deviceId, Optional.empty(), props, body, at);
            for (String endpoint : router.route(RouteSource.DEVICE_LIFECYCLE_EVENTS, new RoutableMessage(event))) {
                endpoints.get(endpoint).append(StreamRecord.of(deviceId, at, props.entries(), body)).whenComplete((offset, failure) -> {
                    if (failure != null) {
                        LOG.error("connection event of {} not stored in {}: {}", deviceId, endpoint, failure.toString());
                    }
                });
            }
        };
    }

    /** Messages that matched no route and were dropped. */
    public long dropped() {
        return dropped.sum();
    }
}

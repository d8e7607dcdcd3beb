package io.fleetkit.backend.routing;

import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.PropertyBag;
import io.fleetkit.protocol.mqtt.SystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingSinkTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private static DeviceToCloudMessage message(String device, String type, String body) {
        PropertyBag bag = PropertyBag.builder().put("type", type).put(SystemProperty.CONTENT_TYPE, "application/json").put(SystemProperty.CONTENT_ENCODING, "utf-8").build();
        return new DeviceToCloudMessage(DeviceId.of(device), Optional.empty(), bag, body.getBytes(StandardCharsets.UTF_8), T0);
    }

    private static List<StreamRecord> all(Stream s) {
        return java.util.stream.IntStream.range(0, s.partitions()).boxed()
                .flatMap(p -> s.read(p, 0, 1000).stream()).toList();
    }

    private final Router router = new Router(List.of(
            Route.of("telemetry", RouteSource.DEVICE_MESSAGES, "type = 'telemetry'", "telemetry"),
            Route.of("critical", RouteSource.DEVICE_MESSAGES, "type = 'alert' AND $body.severity = 'critical'", "alerts"),
            Route.of("critical-copy", RouteSource.DEVICE_MESSAGES, "type = 'alert' AND $body.severity = 'critical'", "telemetry")), true);

    @Test
    void aMessageLandsInEveryMatchingEndpointWithItsPropertiesAndBody() {
        Stream telemetry = new InMemoryStream("telemetry", 2);
        Stream alerts = new InMemoryStream("alerts", 2);
        Stream events = new InMemoryStream("events", 2);
        RoutingSink sink = new RoutingSink(router, Map.of("telemetry", telemetry, "alerts", alerts, "events", events));

        sink.accept(message("d1", "telemetry", "{\"t\":21.5}")).toCompletableFuture().join();
        sink.accept(message("d1", "alert", "{\"severity\":\"critical\"}")).toCompletableFuture().join();
        sink.accept(message("d2", "lifecycle", "{}")).toCompletableFuture().join();

        assertThat(all(telemetry)).hasSize(2);
        assertThat(all(alerts)).singleElement().satisfies(r -> {
            assertThat(r.deviceId()).isEqualTo(DeviceId.of("d1"));
            assertThat(r.properties()).containsEntry("type", "alert").containsEntry("$.ct", "application/json");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"severity\":\"critical\"}");
            assertThat(r.enqueuedTime()).isEqualTo(T0);
        });
        // nothing matched the lifecycle message: the fallback route took it to events
        assertThat(all(events)).singleElement().satisfies(r -> assertThat(r.deviceId()).isEqualTo(DeviceId.of("d2")));
        assertThat(sink.dropped()).isZero();
    }

    @Test
    void withoutTheFallbackAnUnmatchedMessageIsDroppedAndCounted() {
        Router noFallback = new Router(router.routes(), false);
        Stream telemetry = new InMemoryStream("telemetry", 1);
        RoutingSink sink = new RoutingSink(noFallback, Map.of("telemetry", telemetry, "alerts", new InMemoryStream("alerts", 1)));
        assertThat(sink.accept(message("d1", "lifecycle", "{}")).toCompletableFuture()).isCompleted();
        assertThat(sink.dropped()).isEqualTo(1);
        assertThat(all(telemetry)).isEmpty();
    }

    @Test
    void aFailedAppendMeansNoAcknowledgement(@TempDir Path dir) {
        FileStream closed = FileStream.open(dir, "telemetry", 1, 1 << 20);
        closed.close();
        RoutingSink sink = new RoutingSink(router, Map.of("telemetry", closed, "alerts", new InMemoryStream("alerts", 1),
                "events", new InMemoryStream("events", 1)));
        CompletableFuture<Void> stage = sink.accept(message("d1", "telemetry", "{}")).toCompletableFuture();
        assertThat(stage).isCompletedExceptionally();
    }

    @Test
    void routesToAnEndpointWithoutAStreamAreRefusedUpFront() {
        assertThatThrownBy(() -> new RoutingSink(router, Map.of("telemetry", new InMemoryStream("telemetry", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alerts, events")
                .hasMessageContaining("streams: telemetry");
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.routing.Route;
import io.fleetkit.backend.routing.RouteSource;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message path with a real device: Paho over TLS → hub → router → file streams. Every
 * PUBACKed message is in its streams, and still there after the streams are reopened from disk.
 */
@Timeout(60)
@ThrowAwayPki.Use
class StreamPipelineIT {
    private static final CertificateIssuer ISSUER = new CertificateIssuer();

    @Test
    void everyAcknowledgedMessageIsInItsStreamsAndSurvivesAReopen(@TempDir Path tmp, ThrowAwayPki throwAway) throws Exception {
        PkiDirectory pki = throwAway.directory();
        Router router = new Router(List.of(
                Route.of("alerts", RouteSource.DEVICE_MESSAGES, "type = 'alert'", "alerts"),
                Route.of("connections", RouteSource.DEVICE_LIFECYCLE_EVENTS, "true", "lifecycle")), true);
        Path streams = tmp.resolve("streams");
        DeviceIdentity device = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("stream-001"), KeyAlgorithm.EC_P256);
        DeviceId id = device.deviceId();
        SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());

        try (FileStream events = FileStream.open(streams.resolve("events"), "events", 4, 64 * 1024);
             FileStream alerts = FileStream.open(streams.resolve("alerts"), "alerts", 4, 64 * 1024);
             FileStream lifecycle = FileStream.open(streams.resolve("lifecycle"), "lifecycle", 4, 64 * 1024)) {
            RoutingSink sink = new RoutingSink(router, Map.of("events", events, "alerts", alerts, "lifecycle", lifecycle));
            try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).sink(sink).start()) {
            hub.devices().addConnectionListener(sink.connectionEvents());
            String assigned = PahoLifecycleIT.register(hub.port(), device, tls);
            try (PahoDevice d = new PahoDevice(hub.port(), id.value())) {
                d.connect(HubUsername.of(HubHostName.of(assigned), id, "paho/1.2.5").format(), tls);
                for (int i = 0; i < 200; i++) {
                    String type = i % 10 == 0 ? "alert" : "telemetry";
                    // QoS 1: publish returns once the hub has PUBACKed, i.e. the record is on disk
                    d.publish("devices/" + id + "/messages/events/type=" + type + "&n=" + i, "{\"n\":" + i + "}", 1);
                }
            }
            PahoLifecycleIT.awaitDisconnected(hub, id);
            }
            // the hub's connection events went to the lifecycle endpoint: connected, then disconnected
            awaitRecords(lifecycle, id, 2);
            assertThat(readPartitionOf(lifecycle, id)).extracting(r -> r.properties().get(RecordProperties.OP_TYPE))
                    .containsExactly("deviceConnected", "deviceDisconnected");
        }

        try (Stream events = FileStream.open(streams.resolve("events"), "events", 4, 64 * 1024);
             Stream alerts = FileStream.open(streams.resolve("alerts"), "alerts", 4, 64 * 1024)) {
            List<StreamRecord> telemetry = readPartitionOf(events, id);
            List<StreamRecord> alerted = readPartitionOf(alerts, id);
            assertThat(telemetry).hasSize(180);
            assertThat(alerted).hasSize(20);
            // in the order the device sent them
            assertThat(telemetry).extracting(r -> Integer.parseInt(r.properties().get("n"))).isSorted();
            assertThat(alerted).allSatisfy(r -> assertThat(r.properties()).containsEntry("type", "alert"));
            assertThat(new String(alerted.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":10}");
            assertThat(alerted).allSatisfy(r -> assertThat(r.deviceId()).isEqualTo(id));
        }
    }

    /** Waits (up to 5 s) until the device's partition holds {@code count} records; the caller's assertions say what is missing. */
    private static void awaitRecords(Stream s, DeviceId id, int count) throws InterruptedException {
        s.awaitAppend(s.partitionOf(id), count - 1, java.time.Duration.ofSeconds(5)); // only this device writes to the stream
    }

    private static List<StreamRecord> readPartitionOf(Stream s, DeviceId id) {
        int p = s.partitionOf(id);
        List<StreamRecord> out = new ArrayList<>();
        List<StreamRecord> page;
        while (!(page = s.read(p, out.size(), 64)).isEmpty()) {
            out.addAll(page);
        }
        return out;
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.testing.BackendProcess;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.protocol.mqtt.HubUsername;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability: a backend in its own process acknowledges N QoS 1 telemetry messages and is then
 * killed (SIGKILL, no shutdown hook runs); the tail of its stream segments is torn on top. A
 * backend restarted on the same data directory has every acknowledged message in the store
 * exactly once.
 */
@Timeout(180)
@ThrowAwayPki.Use
class BackendCrashIT {
    private static final int MESSAGES = 3000;
    private static final int IN_FLIGHT = 64;

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedMessageIsStoredExactlyOnceAfterAKillAndATornTail(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity device = issuer.issueDevice(pki.intermediate(), RegistrationId.of("crash-001"), KeyAlgorithm.EC_P256);
        DeviceId id = device.deviceId();
        SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());
        Path data = tmp.resolve("data");

        long acknowledged;
        // closed with SIGKILL at once after the last PUBACK, whatever the processors had done
        try (BackendProcess backend = BackendProcess.start(pki.dir(), data, tmp.resolve("backend.err"), List.of())) {
            String assigned = PahoLifecycleIT.register(backend.hubPort(), device, tls);
            acknowledged = publishAll(backend.hubPort(), id, assigned, tls, MESSAGES);
        }
        assertThat(acknowledged).isEqualTo(MESSAGES);
        try (Stream telemetry = FileStream.open(data.resolve("streams").resolve("telemetry"), "telemetry", Backend.PARTITIONS, 64L << 20)) {
            long checkpointed = 0;
            for (int p = 0; p < telemetry.partitions(); p++) {
                checkpointed += telemetry.committed("store", p);
            }
            assertThat(Backend.recordsIn(telemetry)).as("every acknowledged message is in the stream").isEqualTo(MESSAGES);
            // how far the store processor had got when it was killed (the rest is redelivered after the restart)
            System.out.printf("killed after %d PUBACKs; the store processor had checkpointed %d of them%n", acknowledged, checkpointed);
        }

        // a torn write on top: the start of a record whose rest never reached the disk
        List<Path> torn = new ArrayList<>();
        try (var partitions = Files.list(data.resolve("streams").resolve("telemetry"))) {
            for (Path p : partitions.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("p")).toList()) {
                try (var segments = Files.list(p)) {
                    Path last = segments.filter(f -> f.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElse(null);
                    if (last != null) {
                        Files.write(last, new byte[]{0, 0, 1, 0, 0x12, 0x34, 0x56, 0x78, '{', '"', 't'}, StandardOpenOption.APPEND);
                        torn.add(last);
                    }
                }
            }
        }
        assertThat(torn).isNotEmpty();

        try (Backend restarted = Backend.builder(pki, data).hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            assertThat(restarted.awaitProcessed(Duration.ofSeconds(60))).isTrue();
            TelemetryStore store = new TelemetryStore(restarted.database());
            List<TelemetryStore.Row> rows = store.query(id, Instant.EPOCH, Instant.now().plusSeconds(3600), MESSAGES * 2);
            assertThat(rows).extracting(TelemetryStore.Row::seq)
                    .as("every acknowledged sequence number once")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, MESSAGES).boxed().toList());
            assertThat(Backend.recordsIn(restarted.streams().get("telemetry"))).as("the torn tail was cut").isEqualTo(MESSAGES);
            assertThat(restarted.processors().get("store").undecodable()).isZero();
        }
    }

    /** Paho counts a message in flight a little past its token's completion: wait for the slot rather than fail. */
    static IMqttDeliveryToken publish(MqttAsyncClient client, String topic, MqttMessage m) throws MqttException {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.publish(topic, m);
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT || attempt > 1000) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** Publishes seq 1..N as QoS 1 telemetry, at most {@value #IN_FLIGHT} unacknowledged; returns how many were PUBACKed. */
    static long publishAll(int port, DeviceId id, String assignedHub, SSLContext tls, int messages) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("ssl://127.0.0.1:" + port, id.value(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(tls.getSocketFactory());
        options.setUserName(HubUsername.of(HubHostName.of(assignedHub), id, "paho/1.2.5").format());
        options.setMaxInflight(IN_FLIGHT * 2);
        options.setHttpsHostnameVerificationEnabled(false);
        client.connect(options).waitForCompletion(10_000);
        String topic = "devices/" + id + "/messages/events/type=telemetry";
        Deque<IMqttDeliveryToken> pending = new ArrayDeque<>();
        long acked = 0;
        Instant start = Instant.now();
        for (long seq = 1; seq <= messages; seq++) {
            if (pending.size() >= IN_FLIGHT - 1) {
                pending.removeFirst().waitForCompletion(10_000);
                acked++;
            }
            byte[] body = DeviceMessageCodec.CODEC.toJson(new Telemetry(seq, start.plusMillis(seq),
                    Map.of("temperature", Reading.of(20 + seq % 10))));
            MqttMessage m = new MqttMessage(body);
            m.setQos(1);
            pending.addLast(publish(client, topic, m));
        }
        while (!pending.isEmpty()) {
            pending.removeFirst().waitForCompletion(10_000);
            acked++;
        }
        client.disconnectForcibly(0, 0, false);
        client.close(true);
        return acked;
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.hub.IngestBudget;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.backend.stream.kafka.KafkaStream;
import io.fleetkit.backend.testing.KafkaBroker;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.Eventually;
import io.fleetkit.testing.ThrowAwayPki;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker stops for 10 s while devices publish (a broker of the test's own, stopped cleanly and started again on the
 * same data): PUBACKs pause, the hub holds no more than its ingest budget (a quarter of the producer's 1 MB buffer here) and
 * /healthz says the broker is gone; when it is back, publishing resumes by itself and every acknowledged message is stored.
 */
@Timeout(300)
@ThrowAwayPki.Use
class KafkaBrokerOutageIT {
    private static final int DEVICES = 4;
    private static final int IN_FLIGHT = 32;
    private static final long BUFFER = 1 << 20;
    /**
     * About 6.5 KB of readings (text readings are at most 256 characters): four devices' windows (830 KB) are past the budget
     * and past the bound below, so the budget, not the windows, is what holds the hub back.
     */
    private static final Map<String, Reading> READINGS = readings();

    @TempDir
    Path tmp;

    /** One device publishing QoS 1 telemetry seq 1, 2, … with a window of {@value #IN_FLIGHT}, until stopped. */
    static final class Publisher implements Runnable {
        final DeviceId id;
        final Set<Long> acked = new ConcurrentSkipListSet<>();
        final AtomicLong lastSent = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final MqttAsyncClient client;
        volatile Throwable failure;

        Publisher(int port, DeviceIdentity device, String hub, SSLContext tls) throws MqttException {
            this.id = device.deviceId();
            client = new MqttAsyncClient("ssl://127.0.0.1:" + port, id.value(), new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setSocketFactory(tls.getSocketFactory());
            options.setUserName(HubUsername.of(HubHostName.of(hub), id, "paho/1.2.5").format());
            options.setMaxInflight(IN_FLIGHT * 2);
            options.setKeepAliveInterval(120);
            options.setHttpsHostnameVerificationEnabled(false);
            client.connect(options).waitForCompletion(10_000);
        }

        @Override
        public void run() {
            String topic = "devices/" + id + "/messages/events/type=telemetry";
            Deque<IMqttDeliveryToken> pending = new ArrayDeque<>();
            Deque<Long> seqs = new ArrayDeque<>();
            Instant t0 = Instant.now().minusSeconds(600);
            try {
                for (long seq = 1; !stop.get(); seq++) {
                    while (pending.size() >= IN_FLIGHT && !stop.get()) {
                        awaitFirst(pending, seqs);
                    }
                    Telemetry t = new Telemetry(seq, t0.plusMillis(seq), READINGS);
                    MqttMessage m = new MqttMessage(DeviceMessageCodec.CODEC.toJson(t));
                    m.setQos(1);
                    pending.addLast(client.publish(topic, m));
                    seqs.addLast(seq);
                    lastSent.set(seq);
                }
                while (!pending.isEmpty()) {
                    awaitFirst(pending, seqs);
                }
                client.disconnect().waitForCompletion(5_000);
            } catch (Throwable e) {
                failure = e;
            }
        }

        private void awaitFirst(Deque<IMqttDeliveryToken> pending, Deque<Long> seqs) throws MqttException {
            IMqttDeliveryToken first = pending.peekFirst();
            first.waitForCompletion(60_000); // the outage is shorter: a timeout here is a failure
            if (first.getException() != null) {
                throw first.getException();
            }
            pending.removeFirst();
            acked.add(seqs.removeFirst());
        }
    }

    @Test
    void pubacksPauseWhileTheBrokerIsDownThenResumeWithNothingAcknowledgedLost(ThrowAwayPki throwAway) throws Exception {
        PkiDirectory pki = throwAway.directory();
        CertificateIssuer issuer = new CertificateIssuer();
        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("kafka"));
             Backend backend = Backend.builder(pki, tmp.resolve("data"))
                     .kafka(KafkaSettings.bootstrap(broker.bootstrap()).with("buffer.memory", Long.toString(BUFFER)))
                     .hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            IngestBudget budget = backend.hub().gateway().ingestBudget();
            assertThat(budget.limit()).as("the ingest budget is a quarter of the producer's buffer").isEqualTo(BUFFER / 4);
            List<Publisher> publishers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                DeviceIdentity device = issuer.issueDevice(pki.intermediate(), RegistrationId.of("outage-" + d), KeyAlgorithm.EC_P256);
                SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());
                String hub = PahoLifecycleIT.register(backend.hub().port(), device, tls);
                Publisher p = new Publisher(backend.hub().port(), device, hub, tls);
                publishers.add(p);
                Thread t = new Thread(p, "publisher-" + d);
                threads.add(t);
                t.start();
            }
            Eventually.until("the devices are publishing", Duration.ofSeconds(60), () -> acked(publishers) >= 2000,
                    () -> "acked " + acked(publishers) + ", failures " + publishers.stream().map(p -> String.valueOf(p.failure)).toList());

            broker.stop();
            // PUBACKs for what the broker took just before it stopped may still arrive: wait until none has for a second
            long[] last = {-1, System.nanoTime()}; // the count, when it last changed
            Eventually.until("the PUBACKs stop", Duration.ofSeconds(20), () -> {
                long now = acked(publishers);
                if (now != last[0]) {
                    last[0] = now;
                    last[1] = System.nanoTime();
                }
                return System.nanoTime() - last[1] > 1_000_000_000L;
            });
            long ackedWhenDown = acked(publishers);
            long heldMax = 0;
            int pausedMax = 0;
            boolean healthSaidDown = false;
            KafkaStream telemetry = (KafkaStream) backend.streams().get("telemetry");
            for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); System.nanoTime() < end; ) {
                heldMax = Math.max(heldMax, budget.held());
                pausedMax = Math.max(pausedMax, budget.pausedConnections());
                healthSaidDown |= !telemetry.health().up();
                Thread.sleep(50);
            }
            assertThat(acked(publishers)).as("no PUBACK while the broker is down").isEqualTo(ackedWhenDown);
            assertThat(healthSaidDown).as("/healthz says the stream's broker is down").isTrue();
            assertThat(pausedMax).as("the hub stopped reading from the publishing devices").isPositive();
            // bounded: the budget, plus at most one read's worth of messages per connection decoded after it ran out
            assertThat(heldMax).as("bytes held by the hub while the broker was down").isLessThanOrEqualTo(BUFFER / 4 + DEVICES * 64 * 1024);
            System.out.printf("broker down 10 s: %d PUBACKs before, none during; the hub held at most %d bytes (budget %d), %d of %d"
                    + " devices paused%n", ackedWhenDown, heldMax, budget.limit(), pausedMax, DEVICES);

            broker.start();
            Eventually.until("publishing resumes by itself", Duration.ofSeconds(120), () -> acked(publishers) >= ackedWhenDown + 2000);
            Eventually.until("the stream is healthy again", Duration.ofSeconds(30), () -> telemetry.health().up());
            publishers.forEach(p -> p.stop.set(true));
            for (Thread t : threads) {
                t.join(90_000);
            }
            for (Publisher p : publishers) {
                assertThat(p.failure).as("%s published without an error", p.id).isNull();
            }
            assertThat(backend.awaitProcessed(Duration.ofSeconds(60))).isTrue();
            TelemetryStore store = new TelemetryStore(backend.database());
            for (Publisher p : publishers) {
                List<Long> stored = store.query(p.id, Instant.EPOCH, Instant.now().plusSeconds(3600), 1_000_000).stream()
                        .map(TelemetryStore.Row::seq).toList();
                assertThat(stored).as("%s: stored once each, in order", p.id).doesNotHaveDuplicates().isSorted();
                assertThat(stored).as("%s: every acknowledged message stored", p.id).containsAll(p.acked);
            }
            assertThat(telemetry.failedAppends()).as("nothing failed: the producer held the records until the broker was back").isZero();
        }
    }

    private static Map<String, Reading> readings() {
        Map<String, Reading> r = new java.util.LinkedHashMap<>();
        r.put("temperature", Reading.of(21.5));
        for (int i = 0; i < 24; i++) {
            r.put("note" + i, Reading.of("x".repeat(250)));
        }
        return Map.copyOf(r);
    }

    private static long acked(List<Publisher> publishers) {
        return publishers.stream().mapToLong(p -> p.acked.size()).sum();
    }
}

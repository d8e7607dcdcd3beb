package io.fleetkit.backend.gateway;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.store.TestDatabases;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.backend.stream.kafka.KafkaEngine;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.backend.stream.kafka.KafkaStream;
import io.fleetkit.backend.testing.BackendProcess;
import io.fleetkit.backend.testing.TestKafka;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.Eventually;
import io.fleetkit.testing.ThrowAwayPki;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability on the production engines: backends in processes of their own on the test Kafka broker and PostgreSQL,
 * killed with SIGKILL (no shutdown hook, no flush, no commit, no leaving the group).
 */
@Timeout(240)
@ThrowAwayPki.Use
class KafkaBackendCrashIT {
    private static final int MESSAGES = 3000;
    private static final Instant T0 = Instant.now().minusSeconds(3600);

    @TempDir
    Path tmp;
    private final String schema = TestDatabases.newSchemaName();
    private final String topics = "crash-" + UUID.randomUUID().toString().substring(0, 8) + ".{endpoint}";

    @AfterEach
    void dropSchema() {
        TestDatabases.dropPostgresSchema(schema);
    }

    private List<String> jvm() {
        return List.of("-Dfleetkit.test.postgres.schema=" + schema, "-Dfleetkit.test.kafka.topics=" + topics);
    }

    @Test
    void aHubKilledRightAfterItsLastPubackHasEveryAcknowledgedMessageStoredOnceAfterARestart(ThrowAwayPki throwAway)
            throws Exception {
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity device = new CertificateIssuer().issueDevice(pki.intermediate(), RegistrationId.of("kafka-crash-001"),
                KeyAlgorithm.EC_P256);
        DeviceId id = device.deviceId();
        SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());
        long acknowledged;
        try (BackendProcess backend = BackendProcess.start(pki.dir(), tmp.resolve("data"), tmp.resolve("backend.err"), jvm())) {
            String assigned = PahoLifecycleIT.register(backend.hubPort(), device, tls);
            acknowledged = BackendCrashIT.publishAll(backend.hubPort(), id, assigned, tls, MESSAGES);
        } // SIGKILL at once after the last PUBACK
        assertThat(acknowledged).isEqualTo(MESSAGES);

        KafkaSettings settings = KafkaSettings.bootstrap(TestKafka.bootstrap()).withTopics(topics);
        try (Backend restarted = Backend.builder(pki, tmp.resolve("data")).kafka(settings).database(TestDatabases.postgres(schema))
                .hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            assertThat(Backend.recordsIn(restarted.streams().get("telemetry"))).as("every acknowledged message is in the topic")
                    .isEqualTo(MESSAGES);
            // the killed member still holds its partitions until its session times out (10 s): until then this one owns
            // none of them and is "caught up" on nothing — so wait for the rows, then check each is there once
            TelemetryStore store = new TelemetryStore(restarted.database());
            Eventually.until("the restarted backend stored every acknowledged message", Duration.ofSeconds(90),
                    () -> store.countAll() >= MESSAGES, () -> store.countAll() + " of " + MESSAGES);
            assertThat(restarted.awaitProcessed(Duration.ofSeconds(60))).isTrue();
            assertThat(store.query(id, Instant.EPOCH, Instant.now().plusSeconds(3600), MESSAGES * 2))
                    .extracting(TelemetryStore.Row::seq).as("every acknowledged sequence number once")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, MESSAGES).boxed().toList());
        }
    }

    @Test
    void whenOneOfTwoProcessorProcessesIsKilledTheOtherTakesItsPartitionsAndEveryMessageIsStoredOnce(ThrowAwayPki throwAway)
            throws Exception {
        PkiDirectory pki = throwAway.directory();
        KafkaSettings settings = KafkaSettings.bootstrap(TestKafka.bootstrap()).withTopics(topics);
        int devices = 20;
        try (KafkaEngine producer = KafkaEngine.open(settings, Map.of("telemetry", Backend.PARTITIONS));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()));
             BackendProcess survivor = BackendProcess.start(pki.dir(), tmp.resolve("a"), tmp.resolve("a.err"), jvm());
             BackendProcess victim = BackendProcess.start(pki.dir(), tmp.resolve("b"), tmp.resolve("b.err"), jvm());
             Database db = TestDatabases.postgres(schema)) {
            KafkaStream telemetry = producer.streams().get("telemetry");
            String group = telemetry.groupId("store");
            Eventually.until("both processes own two partitions of the store group", Duration.ofSeconds(60),
                    () -> owned(admin, group).equals(List.of(2, 2)), () -> owned(admin, group).toString());
            append(telemetry, devices, 1, 500);
            TelemetryStore store = new TelemetryStore(db);
            Eventually.until("the store group is storing", Duration.ofSeconds(60), () -> store.countAll() > 0);
            victim.close(); // SIGKILL: it neither commits nor leaves; the broker drops it after the session timeout
            append(telemetry, devices, 501, 1000);
            Eventually.until("the survivor owns all four partitions", Duration.ofSeconds(60),
                    () -> owned(admin, group).equals(List.of(4)), () -> owned(admin, group).toString());
            Eventually.until("every message stored", Duration.ofSeconds(90), () -> store.countAll() >= devices * 1000L,
                    () -> store.countAll() + " of " + devices * 1000L);
            for (int d = 0; d < devices; d++) {
                DeviceId id = DeviceId.of("kafka-pair-" + d);
                assertThat(store.query(id, Instant.EPOCH, Instant.now().plusSeconds(3600), 5000)).extracting(TelemetryStore.Row::seq)
                        .as("%s: every message once", id).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
            }
            assertThat(survivor.process().isAlive()).isTrue();
        }
    }

    /** How many partitions each member of the group owns, in ascending order. */
    private static List<Integer> owned(Admin admin, String group) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return d.members().stream().map(MemberDescription::assignment).map(a -> a.topicPartitions().size()).sorted().toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Appends telemetry {@code from..to} of every device, waiting for the broker to acknowledge all of it. */
    private static void append(KafkaStream stream, int devices, long from, long to) {
        List<java.util.concurrent.CompletableFuture<Long>> acks = new java.util.ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            for (int d = 0; d < devices; d++) {
                Telemetry t = new Telemetry(seq, T0.plusMillis(seq), Map.of("temperature", Reading.of(20.0 + d)));
                acks.add(stream.append(StreamRecord.of(DeviceId.of("kafka-pair-" + d), T0.plusMillis(seq), Map.of("type", "telemetry"),
                        DeviceMessageCodec.CODEC.toJson(t))));
            }
        }
        acks.forEach(java.util.concurrent.CompletableFuture::join);
    }
}

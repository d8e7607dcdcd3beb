package io.fleetkit.backend.store;

import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.processing.DeviceStateHandler;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.processing.TelemetryStoreHandler;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.ConnectionState;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.registry.Thumbprints;
import io.fleetkit.backend.hub.Twins;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's behaviour (telemetry, device state), run on each database by a subclass. */
abstract class StoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    static final DeviceId D1 = DeviceId.of("dev-1");

    abstract Database database();

    static TelemetryStore.Row row(DeviceId d, long seq) {
        return new TelemetryStore.Row(d, seq, T0.plusSeconds(seq), T0.plusSeconds(seq).plusMillis(5), "{\"temperature\":" + (20 + seq) + "}");
    }

    @Test
    void aBatchIsStoredAndARedeliveredRowChangesNothing() {
        TelemetryStore store = new TelemetryStore(database());
        List<TelemetryStore.Row> batch = new ArrayList<>();
        for (long seq = 0; seq < 100; seq++) {
            batch.add(row(D1, seq));
        }
        assertThat(store.insert(batch)).isEqualTo(100);
        assertThat(store.insert(List.of(row(D1, 50), row(D1, 100)))).isEqualTo(1);
        assertThat(store.count(D1)).isEqualTo(101);
    }

    @Test
    void pagesAfterASequenceNumberNeitherSkipNorRepeatRowsOfTheSameTime() {
        TelemetryStore store = new TelemetryStore(database());
        DeviceId d = DeviceId.of("same-time");
        List<TelemetryStore.Row> rows = new ArrayList<>();
        for (long seq = 0; seq < 5; seq++) {
            rows.add(new TelemetryStore.Row(d, seq, T0, T0, "{}")); // one device time for all
        }
        store.insert(rows);
        List<TelemetryStore.Row> first = store.query(d, T0, T0.plusSeconds(1), 2);
        List<TelemetryStore.Row> second = store.query(d, T0, first.get(1).seq(), T0.plusSeconds(1), 2);
        List<TelemetryStore.Row> third = store.query(d, T0, second.get(1).seq(), T0.plusSeconds(1), 2);
        assertThat(first).extracting(TelemetryStore.Row::seq).containsExactly(0L, 1L);
        assertThat(second).extracting(TelemetryStore.Row::seq).containsExactly(2L, 3L);
        assertThat(third).extracting(TelemetryStore.Row::seq).containsExactly(4L);
    }

    @Test
    void theRegistrySurvivesAReopenWithStatusAndCreationTime() {
        StoreDeviceRegistry registry = new StoreDeviceRegistry(database());
        DeviceId a = DeviceId.of("reg-a");
        DeviceId b = DeviceId.of("reg-b");
        registry.createIfAbsent(a, Authentication.X509_CA_SIGNED, T0);
        registry.createIfAbsent(b, Authentication.X509_SELF_SIGNED, T0.plusSeconds(1));
        assertThat(registry.createIfAbsent(a, Authentication.X509_SELF_SIGNED, T0.plusSeconds(9)).created()).as("re-registration").isEqualTo(T0);
        registry.setStatus(b, DeviceStatus.DISABLED);
        registry.connected(a, T0.plusSeconds(2));

        StoreDeviceRegistry reopened = new StoreDeviceRegistry(database());
        assertThat(reopened.count()).isEqualTo(2);
        Device ra = reopened.find(a).orElseThrow();
        assertThat(ra.authentication()).isEqualTo(Authentication.X509_CA_SIGNED);
        assertThat(ra.created()).isEqualTo(T0);
        assertThat(ra.connectionState()).as("connection state is not stored").isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(reopened.find(b).orElseThrow().status()).isEqualTo(DeviceStatus.DISABLED);
        assertThat(reopened.list(0, 10)).extracting(Device::id).containsExactly(a, b);
        assertThatThrownBy(() -> reopened.setStatus(DeviceId.of("nobody"), DeviceStatus.ENABLED)).isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void devicesAddedByTheServiceApiKeepTheirThumbprintsAndVersionsAcrossARestart() {
        StoreDeviceRegistry registry = new StoreDeviceRegistry(database());
        DeviceId id = DeviceId.of("svc-reg-a");
        Thumbprints prints = new Thumbprints("ab".repeat(20), "CD".repeat(32));
        Device added = registry.add(id, DeviceStatus.ENABLED, Authentication.X509_SELF_SIGNED, prints, T0);
        assertThat(added.version()).isEqualTo(1);
        assertThatThrownBy(() -> registry.add(id, DeviceStatus.ENABLED, Authentication.X509_CA_SIGNED, null, T0))
                .hasMessageContaining("in the registry already");
        Device disabled = registry.update(id, DeviceStatus.DISABLED, Authentication.X509_SELF_SIGNED, prints, added.version());
        assertThat(disabled.version()).isEqualTo(2);
        assertThat(disabled.etag()).isNotEqualTo(added.etag());
        assertThatThrownBy(() -> registry.update(id, DeviceStatus.ENABLED, Authentication.X509_SELF_SIGNED, prints, added.version()))
                .hasMessageContaining("has changed");

        StoreDeviceRegistry reopened = new StoreDeviceRegistry(database());
        Device read = reopened.find(id).orElseThrow();
        assertThat(read.thumbprints()).isEqualTo(new Thumbprints("AB".repeat(20), "cd".repeat(32)));
        assertThat(read.version()).isEqualTo(2);
        assertThat(read.status()).isEqualTo(DeviceStatus.DISABLED);
        assertThat(Device.versionOf("\"" + read.etag() + "\"")).isEqualTo(2);
        assertThatThrownBy(() -> reopened.remove(id, 1)).hasMessageContaining("has changed");
        assertThat(reopened.remove(id, DeviceRegistry.ANY_VERSION)).isPresent();
        assertThat(new StoreDeviceRegistry(database()).find(id)).isEmpty();
        assertThat(reopened.remove(id, DeviceRegistry.ANY_VERSION)).isEmpty();
    }

    @Test
    void twinTagsAndDesiredPropertiesSurviveARestartUnderTheirEtag() {
        DeviceId id = DeviceId.of("svc-twin-a");
        StoreTwins twins = new StoreTwins(database());
        Twins.Snapshot fresh = twins.get(id);
        assertThat(fresh.version()).isEqualTo(1);
        ObjectNode tags = JSON.createObjectNode().put("site", "A");
        ObjectNode desired = JSON.createObjectNode().put("fan", "on");
        Twins.Snapshot after = twins.patch(id, tags, desired, fresh.etag());
        assertThat(after.tagsVersion()).isEqualTo(2);
        assertThat(after.desiredVersion()).isEqualTo(2);
        twins.patchReported(id, JSON.createObjectNode().put("temp", 21));
        assertThatThrownBy(() -> twins.patch(id, tags, null, fresh.etag())).isInstanceOf(Twins.StaleEtagException.class);

        Twins.Snapshot reread = new StoreTwins(database()).get(id);
        assertThat(reread.tags().get("site").asText()).isEqualTo("A");
        assertThat(reread.desired().get("fan").asText()).isEqualTo("on");
        assertThat(reread.reported().get("temp").asInt()).isEqualTo(21);
        assertThat(reread.version()).isEqualTo(4);
        assertThat(reread.etag()).as("a reported change leaves the etag").isEqualTo(after.etag());
        twins.remove(id);
        assertThat(twins.get(id).version()).isEqualTo(1);
    }

    @Test
    void claimsAreDecidedOnceAndErasedWithTheirUser() {
        ClaimStore claims = new ClaimStore(database());
        DeviceStateStore devices = new DeviceStateStore(database());
        ClaimStore.Claim c = new ClaimStore.Claim("c-1", D1, "alice", "n".repeat(20), ClaimStore.Status.PENDING, T0, T0.plusSeconds(70),
                java.util.Optional.empty(), java.util.Optional.empty(), "-----BEGIN CERTIFICATE-----");
        claims.create(c);
        assertThat(claims.pending(D1)).extracting(ClaimStore.Claim::claimId).containsExactly("c-1");
        assertThat(claims.decide("c-1", ClaimStore.Status.GRANTED, "pressed", T0.plusSeconds(5))).isTrue();
        assertThat(claims.decide("c-1", ClaimStore.Status.EXPIRED, "late", T0.plusSeconds(90))).as("decided once").isFalse();
        assertThat(claims.get("c-1").orElseThrow().status()).isEqualTo(ClaimStore.Status.GRANTED);
        assertThat(claims.pending(D1)).isEmpty();

        devices.setOwner(D1, "alice");
        devices.setOwner(DeviceId.of("dev-9"), "alice");
        assertThat(devices.listOwnedBy("alice", null, 10)).extracting(DeviceStateStore.DeviceState::deviceId)
                .containsExactly(D1, DeviceId.of("dev-9"));
        assertThat(devices.clearOwnerEverywhere("alice")).isEqualTo(2);
        assertThat(claims.deleteByUser("alice")).isEqualTo(1);
        assertThat(claims.get("c-1")).isEmpty();
        assertThat(devices.get(D1).orElseThrow().ownerId()).isEmpty();
    }

    @Test
    void queriesAreByDeviceTimeWindowOldestFirstAndLimited() {
        TelemetryStore store = new TelemetryStore(database());
        DeviceId d2 = DeviceId.of("dev-2");
        store.insert(List.of(row(d2, 3), row(d2, 1), row(d2, 2), row(d2, 0), row(DeviceId.of("dev-3"), 1)));
        List<TelemetryStore.Row> window = store.query(d2, T0.plusSeconds(1), T0.plusSeconds(3), 10);
        assertThat(window).extracting(TelemetryStore.Row::seq).containsExactly(1L, 2L);
        assertThat(window.get(0)).isEqualTo(row(d2, 1));
        assertThat(store.query(d2, T0, T0.plusSeconds(100), 3)).extracting(TelemetryStore.Row::seq).containsExactly(0L, 1L, 2L);
    }

    /** 40 telemetry messages from each of 10 devices on a 4-partition stream. */
    private static InMemoryStream telemetryStream() {
        InMemoryStream events = new InMemoryStream("events", 4);
        for (long seq = 0; seq < 40; seq++) {
            for (int d = 0; d < 10; d++) {
                Telemetry t = new Telemetry(seq, T0.plusSeconds(seq), Map.of("temperature", Reading.of(20.5)));
                events.append(StreamRecord.of(DeviceId.of("proc-" + d), T0, Map.of("type", "telemetry"), DeviceMessageCodec.CODEC.toJson(t))).join();
            }
        }
        return events;
    }

    /** Runs the telemetry processor as {@code group} until it has caught up; returns how many messages it handled. */
    private long process(InMemoryStream events, String group) {
        Database db = database();
        try (StreamProcessor p = StreamProcessor.start(events, group, new TelemetryStoreHandler(new TelemetryStore(db), new ConsumerOffsets(db), group), 16)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
            return p.handled();
        }
    }

    private void assertEveryMessageStoredOnce() {
        TelemetryStore store = new TelemetryStore(database());
        for (int d = 0; d < 10; d++) {
            assertThat(store.count(DeviceId.of("proc-" + d))).isEqualTo(40);
        }
        assertThat(store.query(DeviceId.of("proc-0"), T0, T0.plusSeconds(1), 1)).singleElement()
                .satisfies(r -> assertThat(r.readings()).isEqualTo("{\"temperature\":20.5}"));
    }

    @Test
    void theTelemetryProcessorStoresAStreamExactlyOnceEvenWhenItIsProcessedTwice() {
        InMemoryStream events = telemetryStream();
        assertThat(process(events, "store")).isEqualTo(400);
        assertThat(process(events, "store-again")).as("a second consumer writing the same rows").isEqualTo(400);
        assertEveryMessageStoredOnce();
    }

    @Test
    void theTelemetryProcessorResumesWhereItsRowsEndNotAtTheStreamsCheckpoint() throws Exception {
        InMemoryStream events = telemetryStream();
        assertThat(process(events, "store")).isEqualTo(400);
        ConsumerOffsets offsets = new ConsumerOffsets(database());
        long saved = 0;
        for (int partition = 0; partition < 4; partition++) {
            saved += offsets.next("store", "events", partition).orElseThrow();
            assertThat(offsets.next("store", "events", partition)).hasValue(events.committed("store", partition));
        }
        assertThat(saved).as("the positions saved with the rows: every record").isEqualTo(400);

        // the stream's checkpoint lost (or behind): the rows' own positions say there is nothing to do again
        for (int partition = 0; partition < 4; partition++) {
            events.commit("store", partition, 0);
        }
        assertThat(process(events, "store")).isZero();

        // the database back from a crash without its last commits, rows and positions alike; the checkpoint is past them
        try (var c = database().dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM telemetry WHERE seq >= 30");
            st.executeUpdate("UPDATE consumer_offsets SET next_offset = next_offset * 3 / 4"); // seq 0–29 of each device
        }
        for (int partition = 0; partition < 4; partition++) {
            assertThat(events.committed("store", partition)).isEqualTo(events.endOffset(partition));
        }
        assertThat(process(events, "store")).as("seq 30–39 of each device handed again").isEqualTo(100);
        assertEveryMessageStoredOnce();
    }

    @Test
    void aBootRecordsTheDevicesFirmwareAndAnOlderBootNeverOverwritesIt() {
        DeviceStateStore devices = new DeviceStateStore(database());
        devices.recordBoot(D1, "thermostat", "1.4.2", T0.plusSeconds(60), "power-on");
        devices.recordBoot(D1, "thermostat", "1.4.1", T0, "watchdog"); // a redelivered older boot
        DeviceStateStore.DeviceState s = devices.get(D1).orElseThrow();
        assertThat(s.firmwareVersion()).contains("1.4.2");
        assertThat(s.modelId()).contains("thermostat");
        assertThat(s.lastBoot()).contains(T0.plusSeconds(60));
        assertThat(s.resetReason()).contains("power-on");
        assertThat(s.online()).isFalse();
        assertThat(s.ownerId()).isEmpty();
        devices.recordBoot(D1, "thermostat", "1.5.0", T0.plusSeconds(120), "software");
        assertThat(devices.get(D1).orElseThrow().firmwareVersion()).contains("1.5.0");
    }

    @Test
    void presenceKeepsTheLatestStateAndDevicesListInPages() {
        DeviceStateStore devices = new DeviceStateStore(database());
        devices.recordPresence(DeviceId.of("b"), true, T0.plusSeconds(10));
        devices.recordPresence(DeviceId.of("b"), false, T0); // late, older: ignored
        devices.recordPresence(DeviceId.of("a"), true, T0);
        devices.recordBoot(DeviceId.of("c"), "m", "1.0.0", T0, "power-on");
        assertThat(devices.get(DeviceId.of("b")).orElseThrow().online()).isTrue();
        assertThat(devices.get(DeviceId.of("b")).orElseThrow().lastSeen()).contains(T0.plusSeconds(10));
        assertThat(devices.get(DeviceId.of("zz"))).isEmpty();
        assertThat(devices.list(null, 2)).extracting(d -> d.deviceId().value()).containsExactly("a", "b");
        assertThat(devices.list("b", 2)).extracting(d -> d.deviceId().value()).containsExactly("c");
        devices.recordPresence(DeviceId.of("dev-0042"), true, T0);
        devices.recordPresence(DeviceId.of("dev-0420"), true, T0);
        devices.recordPresence(DeviceId.of("devx0042"), true, T0);
        assertThat(devices.list(null, "042", 10)).extracting(d -> d.deviceId().value()).containsExactly("dev-0042", "dev-0420", "devx0042");
        assertThat(devices.list("dev-0042", "042", 10)).extracting(d -> d.deviceId().value()).containsExactly("dev-0420", "devx0042");
        assertThat(devices.list(null, "v-", 10)).as("'-' literal").extracting(d -> d.deviceId().value()).containsExactly("dev-0042", "dev-0420");
        assertThat(devices.list(null, "dev_", 10)).as("'_' is no wildcard").isEmpty();
        assertThat(devices.list(null, "%", 10)).as("'%' is no wildcard").isEmpty();
    }

    @Test
    void theLifecycleProcessorRecordsBootsFromTheStream() {
        DeviceStateStore devices = new DeviceStateStore(database());
        InMemoryStream lifecycle = new InMemoryStream("lifecycle", 2);
        Lifecycle boot = new Lifecycle(7, T0, new LifecycleEvent.Boot("2.0.1", "smart-plug", LifecycleEvent.ResetReason.POWER_ON));
        lifecycle.append(StreamRecord.of(D1, T0, Map.of("type", "lifecycle"), DeviceMessageCodec.CODEC.toJson(boot))).join();
        try (StreamProcessor p = StreamProcessor.start(lifecycle, "state", new DeviceStateHandler(devices, new ConsumerOffsets(database()), "state"))) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        }
        DeviceStateStore.DeviceState s = devices.get(D1).orElseThrow();
        assertThat(s.firmwareVersion()).contains("2.0.1");
        assertThat(s.modelId()).contains("smart-plug");
        assertThat(s.resetReason()).contains(LifecycleEvent.ResetReason.POWER_ON.wireName());
    }

    @Test
    void connectionEventsFromTheHubSetTheOnlineState() {
        DeviceStateStore devices = new DeviceStateStore(database());
        InMemoryStream lifecycle = new InMemoryStream("lifecycle", 1);
        Map<String, String> connected = Map.of(RecordProperties.MESSAGE_SOURCE, RecordProperties.CONNECTION_STATE_EVENTS, RecordProperties.OP_TYPE, "deviceConnected");
        Map<String, String> disconnected = Map.of(RecordProperties.MESSAGE_SOURCE, RecordProperties.CONNECTION_STATE_EVENTS, RecordProperties.OP_TYPE, "deviceDisconnected");
        lifecycle.append(StreamRecord.of(D1, T0, connected, new byte[0])).join();
        lifecycle.append(StreamRecord.of(D1, T0.plusSeconds(5), disconnected, new byte[0])).join();
        lifecycle.append(StreamRecord.of(DeviceId.of("dev-2"), T0.plusSeconds(6), connected, new byte[0])).join();
        try (StreamProcessor p = StreamProcessor.start(lifecycle, "state", new DeviceStateHandler(devices, new ConsumerOffsets(database()), "state"))) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        }
        assertThat(devices.get(D1).orElseThrow().online()).isFalse();
        assertThat(devices.get(D1).orElseThrow().lastSeen()).contains(T0.plusSeconds(5));
        assertThat(devices.get(DeviceId.of("dev-2")).orElseThrow().online()).isTrue();
        assertThat(new ConsumerOffsets(database()).next("state", "lifecycle", 0)).as("the position saved with the changes").hasValue(3);
    }
}

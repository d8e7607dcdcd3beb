package io.fleetkit.backend.processing;

import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Alert;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class StreamProcessorTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private static void telemetry(Stream s, String device, long seq) {
        Telemetry t = new Telemetry(seq, T0.plusSeconds(seq), Map.of("temperature", Reading.of(20.0 + seq)));
        s.append(StreamRecord.of(DeviceId.of(device), T0, Map.of("type", "telemetry"), DeviceMessageCodec.CODEC.toJson(t))).join();
    }

    /** A stream of {@code partitions} partitions holding telemetry 0 … {@code count} − 1 of dev-1. */
    private static Stream oneDevice(int partitions, int count) {
        Stream s = new InMemoryStream("events", partitions);
        for (long seq = 0; seq < count; seq++) {
            telemetry(s, "dev-1", seq);
        }
        return s;
    }

    /** Remembers, per device, the sequence numbers in the order they were handled, and the threads used. */
    static class Recorder implements DeviceMessageHandler {
        final Map<DeviceId, List<Long>> seqs = new ConcurrentHashMap<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final List<String> undecodable = new CopyOnWriteArrayList<>();

        @Override
        public void onTelemetry(MessageContext context, Telemetry message) {
            seqs.computeIfAbsent(context.deviceId(), k -> new CopyOnWriteArrayList<>()).add(message.seq());
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void onUndecodable(MessageContext context, ProtocolException problem) {
            undecodable.add(context.offset() + ": " + problem.getMessage());
        }
    }

    @Test
    void everyMessageIsHandledInOrderPerDeviceAndPartitionsRunInParallel() {
        Stream s = new InMemoryStream("events", 4);
        for (long seq = 0; seq < 50; seq++) {
            for (int d = 0; d < 20; d++) {
                telemetry(s, "dev-" + d, seq);
            }
        }
        Recorder r = new Recorder();
        try (StreamProcessor p = StreamProcessor.start(s, "store", r, 64)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.handled()).isEqualTo(1000);
        }
        assertThat(r.seqs).hasSize(20);
        List<Long> expected = java.util.stream.LongStream.range(0, 50).boxed().toList();
        r.seqs.values().forEach(seqs -> assertThat(seqs).containsExactlyElementsOf(expected));
        assertThat(r.threads).hasSizeGreaterThan(1).allMatch(t -> t.startsWith("processor-events-store-p"));
    }

    @Test
    void eachHandledMessageIsTimedInEveryStageOfItsGroup() {
        Stream s = new InMemoryStream("events", 2);
        for (long seq = 0; seq < 300; seq++) {
            telemetry(s, "dev-" + seq % 7, seq);
        }
        StageTimings timings = new StageTimings();
        try (StreamProcessor p = StreamProcessor.start(s, "store", new Recorder(), 64, timings)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        var totals = timings.totals();
        assertThat(totals).extracting(t -> t.stage().label() + "/" + t.part())
                .containsExactly("handed/store", "handled/store", "stored/store", "end_to_end/store");
        assertThat(totals).allSatisfy(t -> assertThat(t.histogram().getTotalCount()).as(t.stage().label()).isEqualTo(300));
        long handedMax = totals.get(0).histogram().getMaxValue();
        assertThat(totals.get(3).histogram().getMaxValue()).as("end to end includes the wait for the stream")
                .isGreaterThanOrEqualTo(handedMax * 99 / 100);
    }

    @Test
    void aFailingHandlerIsRetriedOnTheSameMessageAndNothingOvertakesIt() {
        Stream s = oneDevice(1, 10);
        AtomicInteger failuresLeft = new AtomicInteger(2);
        List<Long> seen = new CopyOnWriteArrayList<>();
        DeviceMessageHandler flaky = new DeviceMessageHandler() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) {
                if (message.seq() == 4 && failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("database unavailable");
                }
                seen.add(message.seq());
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "store", flaky)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.failures()).isEqualTo(2);
        }
        assertThat(seen).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    /** The backlog is what is appended and not yet handled: it grows while the handler is held and drains to zero. */
    @Test
    void theBacklogCountsWhatIsAppendedAndNotYetHandled() throws Exception {
        Stream s = new InMemoryStream("events", 2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        DeviceMessageHandler held = new DeviceMessageHandler() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) throws InterruptedException {
                release.await();
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "store", held, 1)) {
            assertThat(p.backlog()).isZero();
            for (long seq = 0; seq < 30; seq++) {
                telemetry(s, "dev-" + seq % 3, seq);
            }
            assertThat(p.backlog()).as("nothing handled while the handler is held").isEqualTo(30);
            release.countDown();
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.backlog()).isZero();
            assertThat(p.handled()).isEqualTo(30);
        }
    }

    /** Keeps every message object it is handed, by offset. */
    static class Keeper implements DeviceMessageHandler {
        final Map<Long, Telemetry> byOffset = new ConcurrentHashMap<>();

        @Override
        public void onTelemetry(MessageContext context, Telemetry message) {
            byOffset.put(context.offset(), message);
        }
    }

    @Test
    void groupsOfOneProcessOnAStreamShareEachDecodedMessage() {
        Stream s = oneDevice(1, 200);
        Keeper a = new Keeper();
        Keeper b = new Keeper();
        DecodedMessages together = DecodedMessages.of(s);
        runTogether(s, "store", a, "probe", b, together);
        assertThat(a.byOffset).hasSize(200);
        assertThat(b.byOffset).isEqualTo(a.byOffset);

        // one group after the other on a new stream: the second takes every message the first decoded, the same objects
        Stream t = oneDevice(1, 200);
        Keeper first = new Keeper();
        Keeper second = new Keeper();
        DecodedMessages decoded = DecodedMessages.of(t).join(); // counts as a reader: the first group keeps what it decodes
        try (StreamProcessor p = StreamProcessor.start(t, "first", first, StreamProcessor.BATCH_SIZE, new StageTimings(), decoded)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            try (StreamProcessor q = StreamProcessor.start(t, "second", second, StreamProcessor.BATCH_SIZE, new StageTimings(), decoded)) {
                assertThat(q.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            }
        } finally {
            decoded.leave();
        }
        assertThat(second.byOffset).isEqualTo(a.byOffset);
        assertThat(second.byOffset.keySet()).allMatch(o -> second.byOffset.get(o) == first.byOffset.get(o));
        assertThat(decoded.shared()).isEqualTo(200);

        Keeper alone = new Keeper(); // one group on its own: each decode is its own, nothing kept for others
        try (StreamProcessor p = StreamProcessor.start(t, "alone", alone, StreamProcessor.BATCH_SIZE, new StageTimings(), decoded)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(alone.byOffset).isEqualTo(a.byOffset);
        assertThat(alone.byOffset.keySet()).noneMatch(o -> alone.byOffset.get(o) == first.byOffset.get(o));
        assertThat(decoded.shared()).as("nothing shared with a lone group").isEqualTo(200);

        Keeper apart = new Keeper(); // started without the stream's shared decodes (as a test or a tool would): its own
        try (StreamProcessor p = StreamProcessor.start(t, "apart", apart)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.decoded()).isNotSameAs(decoded);
        }
        assertThatThrownBy(() -> StreamProcessor.start(t, "wrong", apart, 1, new StageTimings(), DecodedMessages.of(oneDevice(3, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decoded messages for 3 partitions");
    }

    @Test
    void aRestartedGroupResumesAtItsCheckpointAndGroupsAreIndependent() {
        Stream s = oneDevice(2, 5);
        Recorder first = new Recorder();
        try (StreamProcessor p = StreamProcessor.start(s, "store", first)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        for (long seq = 5; seq < 8; seq++) {
            telemetry(s, "dev-1", seq);
        }
        Recorder second = new Recorder();
        Recorder otherGroup = new Recorder();
        runTogether(s, "store", second, "alerts", otherGroup, DecodedMessages.of(s));
        assertThat(first.seqs.get(DeviceId.of("dev-1"))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(second.seqs.get(DeviceId.of("dev-1"))).containsExactly(5L, 6L, 7L);
        assertThat(otherGroup.seqs.get(DeviceId.of("dev-1"))).hasSize(8);
    }

    /** Runs two groups on {@code s} at once, sharing {@code decoded}, until both have handled everything. */
    private static void runTogether(Stream s, String group, DeviceMessageHandler handler, String otherGroup, DeviceMessageHandler other,
                                    DecodedMessages decoded) {
        try (StreamProcessor p = StreamProcessor.start(s, group, handler, StreamProcessor.BATCH_SIZE, new StageTimings(), decoded);
             StreamProcessor q = StreamProcessor.start(s, otherGroup, other, StreamProcessor.BATCH_SIZE, new StageTimings(), decoded)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(q.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void anUndecodableMessageIsReportedAndSkippedWithoutStoppingThePartition() {
        Stream s = new InMemoryStream("events", 1);
        telemetry(s, "dev-1", 0);
        s.append(StreamRecord.of(DeviceId.of("dev-1"), T0, Map.of(), "{\"v\":1,\"type\":\"telemetry\"}".getBytes(StandardCharsets.UTF_8))).join();
        telemetry(s, "dev-1", 1);
        Recorder r = new Recorder();
        try (StreamProcessor p = StreamProcessor.start(s, "store", r)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.undecodable()).isEqualTo(1);
        }
        assertThat(r.seqs.get(DeviceId.of("dev-1"))).containsExactly(0L, 1L);
        assertThat(r.undecodable).singleElement().asString().startsWith("1: ");
    }

    @Test
    void whatIsHandledIsCheckpointedOnlyAfterFlushSucceeds() {
        Stream s = oneDevice(1, 3);
        List<Long> buffered = new ArrayList<>();
        List<Long> stored = new CopyOnWriteArrayList<>();
        AtomicInteger flushFailures = new AtomicInteger(1);
        DeviceMessageHandler batching = new DeviceMessageHandler() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) {
                buffered.add(message.seq());
            }

            @Override
            public void flush() {
                if (flushFailures.getAndDecrement() > 0) {
                    throw new IllegalStateException("batch insert failed");
                }
                stored.addAll(buffered);
                buffered.clear();
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "store", batching)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.failures()).isEqualTo(1);
        }
        assertThat(stored).containsExactly(0L, 1L, 2L);
        assertThat(s.committed("store", 0)).isEqualTo(3);
    }

    @Test
    void checkpointsAtMostOnceASecondWhileBusyWithinASecondWhenIdleAndOnStop() {
        CountingCommits s = new CountingCommits(new InMemoryStream("events", 1));
        for (long seq = 0; seq < 200; seq++) {
            telemetry(s, "dev-1", seq);
        }
        long start = System.nanoTime();
        try (StreamProcessor p = StreamProcessor.start(s, "store", new Recorder(), 1)) { // 200 batches of one
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            long wholeSeconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertThat(s.commits).as("checkpoints for 200 batches in %d whole seconds", wholeSeconds).hasValueLessThanOrEqualTo((int) wholeSeconds);

            Eventually.until("the idle processor's checkpoint", () -> s.committed("store", 0) == 200); // no stop needed
            telemetry(s, "dev-1", 200);
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(s.committed("store", 0)).isEqualTo(201);
    }

    /** A stream that counts checkpoint writes. */
    private static class CountingCommits implements Stream {
        final AtomicInteger commits = new AtomicInteger();
        private final Stream delegate;

        CountingCommits(Stream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void commit(String group, int partition, long offset) {
            commits.incrementAndGet();
            delegate.commit(group, partition, offset);
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public int partitions() {
            return delegate.partitions();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Long> append(StreamRecord record) {
            return delegate.append(record);
        }

        @Override
        public List<StreamRecord> read(int partition, long offset, int max) {
            return delegate.read(partition, offset, max);
        }

        @Override
        public long endOffset(int partition) {
            return delegate.endOffset(partition);
        }

        @Override
        public void awaitAppend(int partition, long offset, Duration timeout) throws InterruptedException {
            delegate.awaitAppend(partition, offset, timeout);
        }

        @Override
        public long committed(String group, int partition) {
            return delegate.committed(group, partition);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
    /** A handler that keeps its position as a store would, with what it handled: in memory here, failing to be asked at first. */
    static final class PositionKeeper extends Recorder {
        final Map<Integer, Long> kept = new ConcurrentHashMap<>();
        final AtomicInteger askFailuresLeft = new AtomicInteger();

        @Override
        public void flush(MessageContext last) {
            kept.put(last.partition(), last.offset() + 1);
        }

        @Override
        public java.util.OptionalLong resumeAt(String stream, int partition) {
            if (askFailuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("the store is away");
            }
            Long at = kept.get(partition);
            return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
        }
    }

    @Test
    void aHandlerThatKeepsItsPositionResumesThereEarlierOrLaterThanTheCheckpoint() {
        Stream s = oneDevice(1, 10);
        PositionKeeper handler = new PositionKeeper();
        handler.kept.put(0, 4L); // its store has 0–3, the checkpoint says nothing yet
        try (StreamProcessor p = StreamProcessor.start(s, "store", handler, 3)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(handler.seqs.get(DeviceId.of("dev-1"))).as("resumed after what its store has").containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(s.committed("store", 0)).as("the checkpoint follows").isEqualTo(10);

        handler.seqs.clear();
        handler.kept.put(0, 7L); // its store came back without 7–9; the checkpoint is past them
        handler.askFailuresLeft.set(2);
        try (StreamProcessor p = StreamProcessor.start(s, "store", handler, 3)) {
            Eventually.until("the store asked, failing, reported", Duration.ofSeconds(5), () -> !p.health().up());
            assertThat(p.health().detail()).contains("the store is away");
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.health().up()).isTrue();
        }
        assertThat(handler.seqs.get(DeviceId.of("dev-1"))).as("what its store lost, again").containsExactly(7L, 8L, 9L);

        handler.seqs.clear();
        handler.kept.put(0, 25L); // saved for a stream that was replaced: past this one's end
        s.commit("store", 0, 8);
        try (StreamProcessor p = StreamProcessor.start(s, "store", handler, 3)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(handler.seqs.get(DeviceId.of("dev-1"))).as("from the checkpoint").containsExactly(8L, 9L);
    }
    @Test
    void aWorkerThatDiesIsRestartedAndHealthyAgainOnceItGetsOn() {
        Stream s = oneDevice(1, 10);
        AtomicInteger errorsLeft = new AtomicInteger(1);
        Recorder handler = new Recorder() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) {
                if (message.seq() == 5 && errorsLeft.getAndDecrement() > 0) {
                    throw new AssertionError("a bug, not a transient failure: not retried, the worker dies");
                }
                super.onTelemetry(context, message);
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "store", handler, 3)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.health().up()).as("healthy again after the restart: %s", p.health()).isTrue();
            assertThat(p.failures()).as("an Error is no handler failure").isZero();
        }
        assertThat(handler.seqs.get(DeviceId.of("dev-1"))).as("the batch in flight (3–5) handled again, nothing lost")
                .containsExactly(0L, 1L, 2L, 3L, 4L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    /** Each kind of message to its method, the hub's connection events to {@code onConnectionState}, in stream order. */
    @Test
    void everyKindOfMessageReachesItsOwnMethod() {
        Stream s = new InMemoryStream("events", 1);
        DeviceId dev = DeviceId.of("dev-1");
        List<DeviceMessage> messages = List.of(
                new Lifecycle(0, T0, new LifecycleEvent.Boot("1.2.3", "thermostat", LifecycleEvent.ResetReason.POWER_ON)),
                new Telemetry(1, T0, Map.of("temperature", Reading.of(21.0))),
                new Alert(2, T0, "overheat", Alert.Severity.CRITICAL, "too hot"),
                new Presence(3, T0, "nonce-0123456789abcdef", new byte[]{1, 2, 3}));
        for (DeviceMessage m : messages) {
            s.append(StreamRecord.of(dev, T0, Map.of("type", m.type().toString()), DeviceMessageCodec.CODEC.toJson(m))).join();
        }
        for (String op : List.of("deviceConnected", "deviceDisconnected")) {
            s.append(StreamRecord.of(dev, T0, Map.of(RecordProperties.MESSAGE_SOURCE, RecordProperties.CONNECTION_STATE_EVENTS, RecordProperties.OP_TYPE, op),
                    "{}".getBytes(StandardCharsets.UTF_8))).join();
        }
        List<String> calls = new CopyOnWriteArrayList<>();
        DeviceMessageHandler h = new DeviceMessageHandler() {
            @Override
            public void onTelemetry(MessageContext c, Telemetry m) {
                calls.add(c.offset() + " telemetry " + m.seq());
            }

            @Override
            public void onLifecycle(MessageContext c, Lifecycle m) {
                calls.add(c.offset() + " lifecycle " + m.seq());
            }

            @Override
            public void onAlert(MessageContext c, Alert m) {
                calls.add(c.offset() + " alert " + m.code());
            }

            @Override
            public void onPresence(MessageContext c, Presence m) {
                calls.add(c.offset() + " presence " + m.nonce());
            }

            @Override
            public void onConnectionState(MessageContext c, boolean connected) {
                calls.add(c.offset() + " connected " + connected + " " + c.deviceId().value());
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "all", h)) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.undecodable()).isZero();
            assertThat(p.handled()).as("%s", calls).isEqualTo(6);
        }
        assertThat(calls).containsExactly("0 lifecycle 0", "1 telemetry 1", "2 alert overheat", "3 presence nonce-0123456789abcdef",
                "4 connected true dev-1", "5 connected false dev-1");
    }

    @Test
    void aPartitionWhoseHandlerFailsIsDownNamingTheOffsetAndUpOnceItSucceeds() {
        Stream s = oneDevice(2, 6);
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        int partition = s.read(0, 0, 1).isEmpty() ? 1 : 0;
        Recorder h = new Recorder() {
            @Override
            public void onTelemetry(MessageContext context, Telemetry message) {
                if (message.seq() == 2 && broken.get()) {
                    throw new IllegalStateException("database unavailable");
                }
                super.onTelemetry(context, message);
            }
        };
        try (StreamProcessor p = StreamProcessor.start(s, "store", h)) {
            Eventually.until("the failure reported", () -> !p.health().up());
            assertThat(p.health().detail()).contains("partition " + partition, "the handler fails at offset 2 and is retried (database unavailable)");
            assertThat(p.awaitCaughtUp(Duration.ofMillis(300))).as("not caught up while failing").isFalse();
            assertThat(p.backlog()).isEqualTo(6);
            broken.set(false);
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(p.health().up()).as("%s", p.health()).isTrue();
            assertThat(p.failures()).isPositive();
            assertThat(p.partitions()).as("still consuming both partitions").containsExactlyInAnyOrder(0, 1);
        }
        assertThat(h.seqs.get(DeviceId.of("dev-1"))).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aCheckpointThatCannotBeWrittenIsReportedAndWrittenOnceItCan() {
        java.util.concurrent.atomic.AtomicBoolean diskFull = new java.util.concurrent.atomic.AtomicBoolean(true);
        CountingCommits s = new CountingCommits(new InMemoryStream("events", 1)) {
            @Override
            public void commit(String group, int partition, long offset) {
                if (diskFull.get()) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
                }
                super.commit(group, partition, offset);
            }
        };
        for (long seq = 0; seq < 4; seq++) {
            telemetry(s, "dev-1", seq);
        }
        try (StreamProcessor p = StreamProcessor.start(s, "store", new Recorder())) {
            assertThat(p.awaitCaughtUp(Duration.ofSeconds(10))).as("processing goes on").isTrue();
            Eventually.until("the checkpoint failure reported", () -> !p.health().up());
            assertThat(p.health().detail()).contains("the checkpoint at 4 cannot be written", "No space left on device");
            diskFull.set(false);
            Eventually.until("the checkpoint written a second later", () -> s.committed("store", 0) == 4);
            Eventually.until("healthy again", () -> p.health().up());
        }
    }

    @Test
    void aBatchSizeBelowOneIsRefused() {
        Stream s = new InMemoryStream("events", 1);
        assertThatThrownBy(() -> StreamProcessor.start(s, "store", new Recorder(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batch size: at least 1, was 0");
    }

    @Test
    void theBacklogBeforeAWorkerStartsCountsFromTheCheckpoint() {
        Stream s = oneDevice(1, 10);
        s.commit("store", 0, 7);
        PositionKeeper slow = new PositionKeeper();
        slow.askFailuresLeft.set(Integer.MAX_VALUE); // its store never answers: the worker never starts
        try (StreamProcessor p = StreamProcessor.start(s, "store", slow)) {
            assertThat(p.backlog()).isEqualTo(3);
            assertThat(p.awaitCaughtUp(Duration.ofMillis(100))).isFalse();
        }
        assertThat(s.committed("store", 0)).as("a worker stopped before it started writes no checkpoint").isEqualTo(7);
    }
}

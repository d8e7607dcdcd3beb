package io.fleetkit.backend.stream;

import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.MessageContext;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every stream engine does (the file log, Kafka): appends acknowledged with their offsets, a device's records in its
 * partition in order, properties and body as appended, readers that wait for appends, consumer groups with their own
 * checkpoints, members that start at the checkpoint and hand back theirs when they leave, records and checkpoints that
 * outlive a restart — and the same {@link DeviceMessageHandler} class run over it by a {@link StreamProcessor}.
 */
public abstract class StreamContract {
    protected static final Instant T0 = Instant.parse("2026-12-03T12:00:00.123456Z");

    /** A new, empty stream of {@code partitions} partitions; {@link #reopen} opens it again. */
    protected abstract Stream create(int partitions);

    /** The stream last created, closed and opened again (as after a restart). */
    protected abstract Stream reopen(Stream closed);

    protected static StreamRecord message(String device, int n) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("$.mid", "msg-" + n);
        props.put("$.ct", "application/json");
        props.put("$.ce", "utf-8");
        props.put("type", "telemetry");
        props.put("n", Integer.toString(n));
        Telemetry t = new Telemetry(n, T0.plusSeconds(n), Map.of("temperature", Reading.of(20.0 + n)));
        return StreamRecord.of(DeviceId.of(device), T0.plusMillis(n), props, DeviceMessageCodec.CODEC.toJson(t));
    }

    private static List<StreamRecord> readAll(Stream s, int partition) {
        List<StreamRecord> all = new ArrayList<>();
        long next = s.startOffset(partition);
        while (next < s.endOffset(partition)) {
            List<StreamRecord> page = s.read(partition, next, 37);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            next = page.get(page.size() - 1).offset() + 1;
        }
        return all;
    }

    @Test
    void appendsAreAcknowledgedWithOffsetsAndEachDevicesRecordsStayInItsPartitionInOrder() {
        try (Stream s = create(4)) {
            Map<String, List<CompletableFuture<Long>>> acks = new LinkedHashMap<>();
            for (int n = 0; n < 40; n++) {
                for (String d : List.of("dev-a", "dev-b", "dev-c", "dev-d", "dev-e")) {
                    acks.computeIfAbsent(d, k -> new ArrayList<>()).add(s.append(message(d, n)));
                }
            }
            acks.values().forEach(fs -> fs.forEach(CompletableFuture::join));
            for (String d : acks.keySet()) {
                int p = s.partitionOf(DeviceId.of(d));
                List<StreamRecord> mine = readAll(s, p).stream().filter(r -> r.deviceId().value().equals(d)).toList();
                assertThat(mine).extracting(r -> r.properties().get("n"))
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).mapToObj(Integer::toString).toList());
                assertThat(mine).extracting(StreamRecord::offset)
                        .containsExactlyElementsOf(acks.get(d).stream().map(CompletableFuture::join).toList());
            }
            long total = 0;
            for (int p = 0; p < 4; p++) {
                total += s.endOffset(p) - s.startOffset(p);
            }
            assertThat(total).isEqualTo(200);
        }
    }

    @Test
    void aRecordReadsBackAsAppended() {
        try (Stream s = create(2)) {
            StreamRecord sent = message("dev-1", 7);
            long offset = s.append(sent).join();
            StreamRecord read = s.read(s.partitionOf(sent.deviceId()), offset, 1).get(0);
            assertThat(read.offset()).isEqualTo(offset);
            assertThat(read.deviceId()).isEqualTo(sent.deviceId());
            assertThat(read.enqueuedTime()).isEqualTo(sent.enqueuedTime());
            assertThat(read.properties()).isEqualTo(sent.properties());
            assertThat(read.body()).isEqualTo(sent.body());
        }
    }

    @Test
    void aReaderWaitsForTheNextAppend() throws Exception {
        try (Stream s = create(1); PartitionReader reader = s.reader(0)) {
            assertThat(reader.read(0, 10, Duration.ofMillis(50))).isEmpty();
            Thread appender = new Thread(() -> {
                sleep(300);
                s.append(message("dev-1", 1)).join();
            });
            appender.start();
            long start = System.nanoTime();
            List<StreamRecord> got = new ArrayList<>();
            while (got.isEmpty() && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
                got.addAll(reader.read(0, 10, Duration.ofSeconds(5)));
            }
            appender.join();
            assertThat(got).extracting(r -> r.properties().get("n")).containsExactly("1");
        }
    }

    @Test
    void consumerGroupsKeepTheirOwnCheckpoints() {
        try (Stream s = create(2)) {
            assertThat(s.committed("store", 0)).isZero();
            s.commit("store", 0, 42);
            s.commit("store", 1, 7);
            s.commit("alerts", 0, 3);
            s.commit("store", 0, 43);
            assertThat(s.committed("store", 0)).isEqualTo(43);
            assertThat(s.committed("store", 1)).isEqualTo(7);
            assertThat(s.committed("alerts", 0)).isEqualTo(3);
            assertThat(s.committed("alerts", 1)).isZero();
        }
    }

    /** An owner that records what it is given and hands back, per partition, a checkpoint it is told to. */
    static final class RecordingOwner implements PartitionOwner {
        final Map<Integer, Long> assigned = new ConcurrentHashMap<>();
        final Map<Integer, Long> handBack = new ConcurrentHashMap<>();

        @Override
        public void assigned(Map<Integer, Long> checkpoints) {
            assigned.putAll(checkpoints);
        }

        @Override
        public Map<Integer, Long> revoked(Set<Integer> partitions) {
            Map<Integer, Long> back = new LinkedHashMap<>();
            partitions.forEach(p -> {
                assigned.remove(p);
                if (handBack.containsKey(p)) {
                    back.put(p, handBack.get(p));
                }
            });
            return back;
        }

        @Override
        public void lost(Set<Integer> partitions) {
            partitions.forEach(assigned::remove);
        }
    }

    @Test
    void aMemberStartsAtTheCheckpointsAndTheOnesItHandsBackAreCommittedWhenItLeaves() {
        try (Stream s = create(2)) {
            s.commit("store", 1, 5);
            RecordingOwner first = new RecordingOwner();
            try (GroupMembership m = s.join("store", first)) {
                Eventually.until("the member's partitions", Duration.ofSeconds(30), () -> m.joined() && first.assigned.size() == 2);
                assertThat(first.assigned).containsExactlyInAnyOrderEntriesOf(Map.of(0, 0L, 1, 5L));
                assertThat(m.owned()).containsExactlyInAnyOrder(0, 1);
                first.handBack.put(0, 11L);
            }
            assertThat(first.assigned).as("all revoked on leaving").isEmpty();
            assertThat(s.committed("store", 0)).isEqualTo(11);
            assertThat(s.committed("store", 1)).as("nothing handed back: the checkpoint stays").isEqualTo(5);
            RecordingOwner second = new RecordingOwner();
            try (GroupMembership m = s.join("store", second)) {
                Eventually.until("the next member's partitions", Duration.ofSeconds(30), () -> second.assigned.size() == 2);
                assertThat(second.assigned).containsExactlyInAnyOrderEntriesOf(Map.of(0, 11L, 1, 5L));
            }
        }
    }

    @Test
    void recordsAndCheckpointsOutliveARestart() {
        Stream s = create(2);
        StreamRecord sent = message("dev-1", 3);
        long offset = s.append(sent).join();
        int p = s.partitionOf(sent.deviceId());
        s.commit("store", p, offset + 1);
        s.close();
        try (Stream again = reopen(s)) {
            assertThat(again.endOffset(p)).isEqualTo(offset + 1);
            assertThat(again.read(p, offset, 1)).extracting(r -> r.properties().get("$.mid")).containsExactly("msg-3");
            assertThat(again.committed("store", p)).isEqualTo(offset + 1);
        }
    }

    /** The handler class the backend team writes, the same on every engine. */
    public static final class TemperatureLog implements DeviceMessageHandler {
        public final Map<DeviceId, List<Long>> seqs = new ConcurrentHashMap<>();

        @Override
        public void onTelemetry(MessageContext context, Telemetry message) {
            seqs.computeIfAbsent(context.deviceId(), k -> new CopyOnWriteArrayList<>()).add(message.seq());
        }
    }

    @Test
    void oneHandlerClassRunsUnchangedOverTheStreamInOrderPerDevice() {
        try (Stream s = create(4)) {
            for (int n = 0; n < 30; n++) {
                for (int d = 0; d < 8; d++) {
                    s.append(message("dev-" + d, n));
                }
            }
            s.append(message("dev-0", 30)).join();
            TemperatureLog handler = new TemperatureLog();
            try (StreamProcessor p = StreamProcessor.start(s, "temperature-log", handler, 16)) {
                assertThat(p.awaitCaughtUp(Duration.ofSeconds(30))).as("caught up").isTrue();
                assertThat(p.partitions()).containsExactlyInAnyOrder(0, 1, 2, 3);
                assertThat(p.backlog()).isZero();
            }
            for (int d = 0; d < 8; d++) {
                List<Long> expected = java.util.stream.LongStream.range(0, d == 0 ? 31 : 30).boxed().toList();
                assertThat(handler.seqs.get(DeviceId.of("dev-" + d))).as("dev-%d", d).containsExactlyElementsOf(expected);
            }
            for (int p = 0; p < 4; p++) {
                assertThat(s.committed("temperature-log", p)).as("partition %d checkpointed on leaving", p).isEqualTo(s.endOffset(p));
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

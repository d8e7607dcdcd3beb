package io.fleetkit.backend.stream;

import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileStreamTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    @TempDir
    Path dir;

    private static StreamRecord message(String device, int n) {
        return StreamRecord.of(DeviceId.of(device), T0.plusMillis(n), Map.of("n", Integer.toString(n)),
                ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<Long> appendAll(Stream s, String device, int from, int count) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            futures.add(s.append(message(device, i)));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private static List<StreamRecord> readAll(Stream s, int partition) {
        List<StreamRecord> all = new ArrayList<>();
        long next = 0;
        while (true) {
            List<StreamRecord> page = s.read(partition, next, 37);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            next = page.get(page.size() - 1).offset() + 1;
        }
    }

    @Test
    void aDevicesMessagesKeepTheirOrderAcrossSegmentRollovers() {
        try (FileStream s = FileStream.open(dir, "events", 4, 1_000)) {
            List<Long> offsets = appendAll(s, "dev-1", 0, 300);
            assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 300).boxed().toList());

            int p = s.partitionOf(DeviceId.of("dev-1"));
            List<StreamRecord> read = readAll(s, p);
            assertThat(read).hasSize(300);
            for (int i = 0; i < 300; i++) {
                assertThat(read.get(i).offset()).isEqualTo(i);
                assertThat(read.get(i).properties()).containsEntry("n", Integer.toString(i));
                assertThat(new String(read.get(i).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
                assertThat(read.get(i).enqueuedTime()).isEqualTo(T0.plusMillis(i));
            }
            assertThat(s.endOffset(p)).isEqualTo(300);
            assertThat(s.read(p, 300, 10)).isEmpty();
            assertThat(s.read(p, 250, 10)).extracting(StreamRecord::offset).containsExactly(250L, 251L, 252L, 253L, 254L, 255L, 256L, 257L, 258L, 259L);
        }
        // ~30-byte-plus records in 1 KB segments: the partition rolled over many times
        assertThat(segments(dir)).hasSizeGreaterThan(10);
    }

    /** The index keeps every 32nd record's position: a read from any offset, in any segment, starts exactly there. */
    @Test
    void aReadFromAnyOffsetStartsAtThatRecordThroughTheSparseIndex() {
        try (FileStream s = FileStream.open(dir, "events", 1, 4_000)) {
            appendAll(s, "dev-1", 0, 500);
            assertThat(segments(dir)).as("several segments, each longer than the index step").hasSizeGreaterThan(3);
            for (long from = 0; from < 500; from++) {
                assertThat(s.read(0, from, 3)).extracting(StreamRecord::offset)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(from, Math.min(500, from + 3)).boxed().toList());
            }
        }
        try (FileStream reopened = FileStream.open(dir, "events", 1, 4_000)) {
            assertThat(reopened.read(0, 77, 2)).extracting(StreamRecord::offset).containsExactly(77L, 78L);
            assertThat(reopened.endOffset(0)).isEqualTo(500);
        }
    }

    @Test
    void devicesSpreadOverPartitionsAndEachPartitionCountsOnItsOwn() {
        try (FileStream s = FileStream.open(dir, "events", 3, 1 << 20)) {
            for (int d = 0; d < 30; d++) {
                appendAll(s, "dev-" + d, 0, 5);
            }
            long total = 0;
            int used = 0;
            for (int p = 0; p < 3; p++) {
                List<StreamRecord> records = readAll(s, p);
                total += records.size();
                used += records.isEmpty() ? 0 : 1;
                for (StreamRecord r : records) {
                    assertThat(s.partitionOf(r.deviceId())).isEqualTo(p);
                }
                assertThat(s.endOffset(p)).isEqualTo(records.size());
            }
            assertThat(total).isEqualTo(150);
            assertThat(used).isEqualTo(3);
        }
    }

    @Test
    void reopeningFindsEveryAcknowledgedRecordAndContinuesTheOffsets() {
        int p;
        try (FileStream s = FileStream.open(dir, "events", 2, 2_000)) {
            appendAll(s, "dev-1", 0, 120);
            p = s.partitionOf(DeviceId.of("dev-1"));
        }
        try (FileStream s = FileStream.open(dir, "events", 2, 2_000)) {
            assertThat(s.endOffset(p)).isEqualTo(120);
            assertThat(appendAll(s, "dev-1", 120, 5)).containsExactly(120L, 121L, 122L, 123L, 124L);
            List<StreamRecord> all = readAll(s, p);
            assertThat(all).hasSize(125);
            assertThat(all.get(124).properties()).containsEntry("n", "124");
        }
    }

    @Test
    void aTornTailIsCutOnOpenAndNothingAcknowledgedIsLost() throws IOException {
        int p;
        try (FileStream s = FileStream.open(dir, "events", 1, 1 << 20)) {
            appendAll(s, "dev-1", 0, 50);
            p = s.partitionOf(DeviceId.of("dev-1"));
        }
        Path last = segments(dir).get(segments(dir).size() - 1);
        long size = Files.size(last);
        // a crash in the middle of a write: a header promising more bytes than follow
        Files.write(last, new byte[]{0, 0, 0, 40, 1, 2, 3, 4, 9, 9}, StandardOpenOption.APPEND);

        try (FileStream s = FileStream.open(dir, "events", 1, 1 << 20)) {
            assertThat(Files.size(last)).isEqualTo(size);
            assertThat(s.endOffset(p)).isEqualTo(50);
            assertThat(appendAll(s, "dev-1", 50, 1)).containsExactly(50L);
            assertThat(readAll(s, p)).hasSize(51).extracting(StreamRecord::offset)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 51).boxed().toList());
        }
    }

    @Test
    void aCorruptedRecordEndsThePartitionThereAndLaterSegmentsAreDropped() throws IOException {
        try (FileStream s = FileStream.open(dir, "events", 1, 500)) {
            appendAll(s, "dev-1", 0, 100);
        }
        List<Path> before = segments(dir);
        assertThat(before).hasSizeGreaterThan(3);
        // flip a byte inside the first record of the second segment: its CRC no longer matches
        Path second = before.get(1);
        byte[] bytes = Files.readAllBytes(second);
        bytes[RecordCodec.HEADER + 2] ^= 0x55;
        Files.write(second, bytes);
        long secondBase = Long.parseLong(second.getFileName().toString().replace(".log", ""));

        try (FileStream s = FileStream.open(dir, "events", 1, 500)) {
            assertThat(s.endOffset(0)).isEqualTo(secondBase);
            assertThat(readAll(s, 0)).hasSize((int) secondBase);
            assertThat(segments(dir)).hasSize(2); // the first, and the second cut to empty
            assertThat(appendAll(s, "dev-1", 0, 1)).containsExactly(secondBase);
        }
    }

    @Test
    void checkpointsSurviveAReopenPerGroupAndPartition() {
        try (FileStream s = FileStream.open(dir, "events", 2, 1 << 20)) {
            assertThat(s.committed("storage", 0)).isZero();
            s.commit("storage", 0, 42);
            s.commit("storage", 1, 7);
            s.commit("alerts", 0, 3);
            s.commit("storage", 0, 43);
        }
        try (FileStream s = FileStream.open(dir, "events", 2, 1 << 20)) {
            assertThat(s.committed("storage", 0)).isEqualTo(43);
            assertThat(s.committed("storage", 1)).isEqualTo(7);
            assertThat(s.committed("alerts", 0)).isEqualTo(3);
            assertThat(s.committed("alerts", 1)).isZero();
            assertThatThrownBy(() -> s.commit("../escape", 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        }
    }

    @Test
    void appendsAfterCloseFailInsteadOfHanging() {
        FileStream s = FileStream.open(dir, "events", 1, 1 << 20);
        s.close();
        assertThat(s.append(message("dev-1", 0))).isCompletedExceptionally();
    }

    @Test
    void aRecordTooLargeToReadBackIsRefusedAloneAndTheStreamGoesOn() {
        try (FileStream s = FileStream.open(dir, "events", 1, 1 << 20)) {
            StreamRecord huge = StreamRecord.of(DeviceId.of("dev-1"), java.time.Instant.now(), java.util.Map.of(), new byte[2 << 20]);
            assertThat(s.append(huge)).failsWithin(java.time.Duration.ofSeconds(5)).withThrowableThat()
                    .withMessageContaining("over the").withMessageContaining("a record may carry");
            assertThat(s.append(message("dev-1", 1)).join()).isZero();
            assertThat(s.health().up()).as("a refused append is no failure of the stream").isTrue();
        }
        try (FileStream reopened = FileStream.open(dir, "events", 1, 1 << 20)) {
            assertThat(reopened.endOffset(0)).as("nothing after it was cut on recovery").isEqualTo(1);
        }
    }

    @Test
    void concurrentAppendersEachGetDistinctOffsetsInOrder() throws Exception {
        try (FileStream s = FileStream.open(dir, "events", 1, 4_000)) {
            List<Thread> threads = new ArrayList<>();
            List<List<Long>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Long> mine = new ArrayList<>();
                results.add(mine);
                String device = "dev-" + t;
                Thread thread = new Thread(() -> mine.addAll(appendAll(s, device, 0, 250)));
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
            List<Long> all = results.stream().flatMap(List::stream).sorted().toList();
            assertThat(all).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 1000).boxed().toList());
            for (List<Long> mine : results) {
                assertThat(mine).isSorted();
            }
            assertThat(readAll(s, 0)).hasSize(1000);
        }
    }

    @Test
    void sizeRetentionRemovesTheOldestSegmentsAndReadersResumeAtTheOldestKept() throws IOException {
        long start;
        try (FileStream s = FileStream.open(dir, "events", 1, 1_000, Retention.ofBytes(3_000))) {
            appendAll(s, "dev-1", 0, 300);
            assertThat(s.enforceRetention()).isPositive();
            start = s.startOffset(0);
            assertThat(start).isPositive();
            assertThat(s.endOffset(0)).isEqualTo(300);
            long bytes = 0;
            for (Path f : segments(dir)) {
                bytes += Files.size(f);
            }
            assertThat(bytes).isLessThanOrEqualTo(3_000 + 1_100);
            // a consumer whose checkpoint is behind retention continues at the oldest record kept
            List<StreamRecord> page = s.read(0, 0, 5);
            assertThat(page.get(0).offset()).isEqualTo(start);
            assertThat(readAll(s, 0)).hasSize((int) (300 - start)).first().extracting(StreamRecord::offset).isEqualTo(start);
        }
        try (FileStream s = FileStream.open(dir, "events", 1, 1_000, Retention.ofBytes(3_000))) {
            assertThat(s.startOffset(0)).isEqualTo(start);
            assertThat(s.endOffset(0)).isEqualTo(300);
            assertThat(appendAll(s, "dev-1", 300, 1)).containsExactly(300L);
        }
    }

    @Test
    void ageRetentionRemovesSegmentsWhoseNewestRecordIsTooOld() throws IOException {
        try (FileStream s = FileStream.open(dir, "events", 1, 1_000, Retention.ofAge(java.time.Duration.ofDays(1)))) {
            appendAll(s, "dev-1", 0, 100);
            List<Path> all = segments(dir);
            assertThat(s.enforceRetention()).isZero();
            java.nio.file.attribute.FileTime twoDaysAgo = java.nio.file.attribute.FileTime.from(Instant.now().minus(java.time.Duration.ofDays(2)));
            for (Path f : all) {
                Files.setLastModifiedTime(f, twoDaysAgo);
            }
            assertThat(s.enforceRetention()).isEqualTo(all.size() - 1); // the segment being written stays
            assertThat(segments(dir)).containsExactly(all.get(all.size() - 1));
            assertThat(s.read(0, 0, 1000)).extracting(StreamRecord::offset).last().isEqualTo(99L);
        }
    }

    @Test
    void badRetentionAndSizesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Retention.ofAge(java.time.Duration.ZERO)).hasMessageContaining("retention age: must be positive");
        assertThatThrownBy(() -> Retention.ofBytes(0)).hasMessageContaining("retention size: must be positive");
        assertThatThrownBy(() -> FileStream.open(dir, "events", 0, 1_000)).hasMessageContaining("partitions: at least 1, was 0");
        assertThatThrownBy(() -> FileStream.open(dir, "events", 1, 0)).hasMessageContaining("segment size");
    }

    private static List<Path> segments(Path dir) {
        try (var walk = Files.walk(dir)) {
            return walk.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aConsumerWaitingForAnAppendWakesWhenOneIsWrittenAndWhenTheStreamCloses() throws Exception {
        FileStream s = FileStream.open(dir, "events", 1, 1 << 20);
        appendAll(s, "dev-1", 0, 2);
        java.util.concurrent.ExecutorService waiter = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            long start = System.nanoTime();
            s.awaitAppend(0, 1, java.time.Duration.ofSeconds(30));
            assertThat(System.nanoTime() - start).as("offset 1 is there: no wait").isLessThan(java.time.Duration.ofSeconds(20).toNanos());
            s.awaitAppend(0, 2, java.time.Duration.ofMillis(50)); // nothing comes: returns at its timeout

            CompletableFuture<Void> woken = CompletableFuture.runAsync(() -> await(s, 2), waiter);
            s.append(message("dev-1", 2)).join();
            woken.get(20, java.util.concurrent.TimeUnit.SECONDS); // the 60-second wait ended by the append

            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> await(s, 3), waiter);
            s.close();
            closing.get(20, java.util.concurrent.TimeUnit.SECONDS);
            s.awaitAppend(0, 3, java.time.Duration.ofSeconds(60)); // closed: at once
        } finally {
            waiter.shutdownNow();
            s.close();
        }
    }

    private static void await(Stream s, long offset) {
        try {
            s.awaitAppend(0, offset, java.time.Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A write that fails (here the next segment's name is taken by a directory) fails its append and marks the stream DOWN;
     * nothing half-written stays; once writes succeed again the stream is UP and the next append takes the same offset.
     */
    @Test
    void aFailedWriteFailsItsAppendLeavesNothingBehindAndTheStreamRecovers() throws IOException {
        try (FileStream s = FileStream.open(dir, "events", 1, 10)) { // every record rolls over to a new segment
            assertThat(s.append(message("dev-1", 0)).join()).isZero();
            Path blocker = dir.resolve("p0").resolve(String.format("%020d.log", 1));
            Files.createDirectories(blocker);
            assertThat(s.append(message("dev-1", 1))).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableThat()
                    .isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(s.health().up()).isFalse();
            assertThat(s.health().detail()).startsWith("the last write failed: ");
            assertThat(s.endOffset(0)).isEqualTo(1);
            Files.delete(blocker);
            io.fleetkit.testing.Eventually.until("the stream's probe finds writes succeed", () -> s.health().up());
            assertThat(s.append(message("dev-1", 2)).join()).as("the failed append took no offset").isEqualTo(1);
            assertThat(readAll(s, 0)).extracting(r -> r.properties().get("n")).containsExactly("0", "2");
        }
        try (FileStream reopened = FileStream.open(dir, "events", 1, 10)) {
            assertThat(readAll(reopened, 0)).extracting(r -> r.properties().get("n")).containsExactly("0", "2");
        }
    }
}

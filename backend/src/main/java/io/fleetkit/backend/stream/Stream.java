package io.fleetkit.backend.stream;

import io.fleetkit.backend.health.Health;
import io.fleetkit.protocol.id.DeviceId;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One endpoint: a partitioned, append-only log. A device's messages always go to the same
 * partition (by its id), so they keep their order; consumer groups keep their own checkpoints.
 * The embedded implementation is {@link FileStream}; {@link InMemoryStream} serves tests;
 * {@code stream.kafka.KafkaStream} runs on Apache Kafka and Azure Event Hubs. Implementations are thread-safe.
 *
 * <p>Consumers ({@code processing.StreamProcessor}, capture) {@link #join} a consumer group, which gives them partitions, and
 * read each through a {@link PartitionReader}; the engine decides who owns what (the file log: one member owns all).
 */
public interface Stream extends AutoCloseable {

    String name();

    int partitions();

    /** The partition of a device: a stable hash of its id. */
    default int partitionOf(DeviceId deviceId) {
        // FNV-1a over the id's UTF-8 bytes: stable across JVMs and languages, unlike String.hashCode's contract for bytes.
        // Device ids are ASCII (IdentifierRules), whose chars are their UTF-8 bytes: no array to make on every append.
        String id = deviceId.value();
        int h = 0x811C9DC5;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 0x80) {
                return fnvOfUtf8(id);
            }
            h = (h ^ c) * 0x01000193;
        }
        return Math.floorMod(h, partitions());
    }

    private int fnvOfUtf8(String id) {
        int h = 0x811C9DC5;
        for (byte x : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xFF)) * 0x01000193;
        }
        return Math.floorMod(h, partitions());
    }

    /**
     * Appends a record to its device's partition. The future completes with the record's offset
     * once the record is durable (for the file stream: written and forced to disk), so the hub
     * may acknowledge the device; it fails if the record could not be stored.
     */
    CompletableFuture<Long> append(StreamRecord record);

    /**
     * Up to {@code max} records of a partition from {@code offset} on (fewer at the end). An
     * offset retention already removed reads from {@link #startOffset} instead: the records
     * carry their offsets, so the consumer sees the gap.
     */
    List<StreamRecord> read(int partition, long offset, int max);

    /** The oldest offset of the partition still kept (0 until retention removes something). */
    default long startOffset(int partition) {
        return 0;
    }

    /** The offset the next record of the partition will get. */
    long endOffset(int partition);

    /**
     * Waits until the partition's end is past {@code offset} (a record there was appended), at
     * most {@code timeout}; returns at once if it already is. Consumers call it when a read came
     * back empty, instead of sleeping a fixed time. This default polls every 20 ms at most;
     * implementations that can be told of appends wake the caller at once.
     */
    default void awaitAppend(int partition, long offset, Duration timeout) throws InterruptedException {
        if (endOffset(partition) <= offset) {
            Thread.sleep(Math.max(1, Math.min(timeout.toMillis(), 20)));
        }
    }

    /** A reader of {@code partition} for one consumer thread; the caller closes it. */
    default PartitionReader reader(int partition) {
        return new PolledReader(this, partition);
    }

    /**
     * Joins consumer group {@code group}: the engine tells {@code owner} which partitions this member consumes, now and when
     * they move ({@link PartitionOwner}). By default the member owns every partition at once, from the group's checkpoints
     * ({@link #committed}), until it leaves: engines with one consumer per group.
     */
    default GroupMembership join(String group, PartitionOwner owner) {
        return new AllPartitions(this, group, owner);
    }

    /** Records a consumer group's position: it has processed everything before {@code offset}. */
    void commit(String group, int partition, long offset);

    /** Where a consumer group resumes in a partition: its last commit, or 0. */
    long committed(String group, int partition);

    /**
     * Whether appends succeed now: DOWN, with why and since when, while they fail (a full disk, a broker that is away) or
     * the engine stopped; UP again once they succeed. Streams that cannot fail that way are always UP.
     */
    default Health health() {
        return Health.ok();
    }

    @Override
    void close();
}

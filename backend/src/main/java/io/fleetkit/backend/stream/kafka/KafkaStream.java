package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.stream.GroupMembership;
import io.fleetkit.backend.stream.PartitionOwner;
import io.fleetkit.backend.stream.PartitionReader;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.FleetkitException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An endpoint's stream on a Kafka topic (or an event hub). An append is a record in the device's partition
 * ({@link #partitionOf}: the same number as on the file log), keyed by the device id, with IoT Hub's properties as headers
 * ({@link KafkaRecords}); its future completes when every in-sync replica has it ({@code acks=all}, idempotent producer) —
 * only then does the hub PUBACK — and fails, counted and logged, when the broker refuses it or does not answer in time.
 * Consumer groups are Kafka's: {@link #join} makes this process a member that owns the partitions the group gives it.
 */
public final class KafkaStream implements Stream {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaStream.class);
    private final KafkaEngine engine;
    private final String topic;
    private final int partitions;
    private final LongAdder failedAppends = new LongAdder();
    private final Map<String, KafkaGroupMember> members = new ConcurrentHashMap<>();
    /** DOWN from the first failed append after a success until the next success. */
    private volatile Health appends = Health.ok();

    KafkaStream(KafkaEngine engine, String topic, int partitions) {
        this.engine = engine;
        this.topic = topic;
        this.partitions = partitions;
    }

    /** The topic's name. */
    @Override
    public String name() {
        return topic;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    /**
     * How long an append waits for the topic's metadata when the producer has none (a broker that restarted: for a moment the
     * producer forgets the topic and, never blocking, fails the send at once). The device has no PUBACK meanwhile, so it is
     * held like any append the broker has not acknowledged, within the hub's ingest budget; past this the append fails.
     */
    static final Duration METADATA_WAIT = Duration.ofSeconds(30);
    private static final long RESEND_MS = 100;

    @Override
    public CompletableFuture<Long> append(StreamRecord record) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        send(record, done, System.nanoTime() + METADATA_WAIT.toNanos());
        return done;
    }

    private void send(StreamRecord record, CompletableFuture<Long> done, long metadataDeadline) {
        int partition = partitionOf(record.deviceId());
        try {
            engine.producer().send(KafkaRecords.toKafka(topic, partition, record), (metadata, failure) -> {
                if (failure == null) {
                    engine.offsets().appended(new TopicPartition(topic, partition), metadata.offset());
                    if (!appends.up()) {
                        LOG.info("{}: appends are acknowledged again", topic);
                        appends = Health.ok();
                    }
                    done.complete(metadata.offset());
                } else if (noMetadata(failure) && System.nanoTime() < metadataDeadline && resendLater(record, done, metadataDeadline)) {
                    LOG.debug("{}: no metadata for the topic yet; the append is sent again", topic);
                } else {
                    failed(partition, failure);
                    done.completeExceptionally(failure);
                }
            });
        } catch (KafkaException e) { // refused before it left: the buffer full, the producer closed
            failed(partition, e);
            done.completeExceptionally(e);
        }
    }

    /** The producer had no metadata for the topic and, with {@code max.block.ms} 0, did not wait for it (its fetch is under way). */
    private static boolean noMetadata(Exception failure) {
        return failure instanceof org.apache.kafka.common.errors.TimeoutException && String.valueOf(failure.getMessage()).contains("not present in metadata");
    }

    private boolean resendLater(StreamRecord record, CompletableFuture<Long> done, long metadataDeadline) {
        try {
            engine.resends().schedule(() -> {
                try {
                    send(record, done, metadataDeadline);
                } catch (RuntimeException e) { // nothing may leave the append unanswered: the device would wait for its PUBACK for ever
                    failed(partitionOf(record.deviceId()), e);
                    done.completeExceptionally(e);
                }
            }, RESEND_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return false;
        }
    }

    private void failed(int partition, Throwable failure) {
        failedAppends.increment();
        if (appends.up()) {
            LOG.warn("{} partition {}: an append failed and was not acknowledged ({}); the device sends it again", topic, partition,
                    failure.toString());
            appends = Health.down("appends fail (" + failure.getMessage() + "); devices get no PUBACK and send again", Instant.now());
        }
    }

    /** Appends that failed (not acknowledged; the device was not PUBACKed), since the start. */
    public long failedAppends() {
        return failedAppends.sum();
    }

    /** A one-off read for tools and tests (a client made and closed for it); consumers use {@link #reader}. */
    @Override
    public List<StreamRecord> read(int partition, long offset, int max) {
        try (KafkaPartitionReader reader = new KafkaPartitionReader(engine, topic, partition, max)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                List<StreamRecord> batch = reader.read(offset, max, Duration.ofMillis(200));
                if (!batch.isEmpty() || offset >= endOffset(partition) || System.nanoTime() > deadline) {
                    return batch;
                }
            }
        }
    }

    @Override
    public PartitionReader reader(int partition) {
        return new KafkaPartitionReader(engine, topic, partition, 500);
    }

    @Override
    public long startOffset(int partition) {
        return engine.offsets().start(new TopicPartition(topic, partition));
    }

    /** The end as last seen (refreshed twice a second, and at once by this process's own appends). */
    @Override
    public long endOffset(int partition) {
        return engine.offsets().end(new TopicPartition(topic, partition));
    }

    /**
     * The Kafka group id of one of fleetkit's groups on this topic: {@code {topic}.{group}}, e.g. {@code fleetkit.telemetry.store}.
     * fleetkit's choice: like an Event Hubs consumer group, a group belongs to one stream, and two deployments on one broker
     * with different topic names never share a group.
     */
    public String groupId(String group) {
        return topic + "." + group;
    }

    @Override
    public GroupMembership join(String group, PartitionOwner owner) {
        KafkaGroupMember member = new KafkaGroupMember(engine, this, group, owner, () -> members.remove(group));
        if (members.putIfAbsent(group, member) != null) {
            throw new IllegalStateException(topic + ": this process is already a member of group " + group);
        }
        member.start();
        return member;
    }

    /**
     * Records the group's position. Through this process's member of the group when there is one (committed on its thread,
     * with its generation; a failure is reported by the next call); otherwise directly, which the broker accepts only while
     * the group has no members.
     */
    @Override
    public void commit(String group, int partition, long offset) {
        KafkaGroupMember member = members.get(group);
        if (member != null) {
            member.commit(partition, offset);
            return;
        }
        try (KafkaConsumer<byte[], byte[]> c = engine.consumer("commit", Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupId(group)))) {
            c.commitSync(Map.of(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)), Duration.ofSeconds(10));
        } catch (KafkaException e) {
            throw new FleetkitException(FleetkitException.Kind.UNAVAILABLE, topic + " group " + group + " partition " + partition
                    + ": cannot commit " + offset + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public long committed(String group, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<byte[], byte[]> c = engine.consumer("committed", Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupId(group)))) {
            OffsetAndMetadata at = c.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp);
            return at == null ? 0 : at.offset();
        } catch (KafkaException e) {
            throw new FleetkitException(FleetkitException.Kind.UNAVAILABLE, topic + " group " + group + " partition " + partition
                    + ": cannot read the checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** DOWN while the broker does not answer or appends fail; UP otherwise. */
    @Override
    public Health health() {
        Health broker = engine.health();
        return broker.up() ? appends : broker;
    }

    /** The engine owns the clients: closing a stream leaves them to {@link KafkaEngine#close}. */
    @Override
    public void close() {
    }
}

package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.stream.GroupMembership;
import io.fleetkit.backend.stream.PartitionOwner;
import io.fleetkit.protocol.FleetkitException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * This process's member of a Kafka consumer group on one topic: a consumer subscribed with the group id on a thread of its
 * own, which only takes part in the group (its partitions stay paused: the owner's workers read through their own
 * {@link KafkaPartitionReader}s) and commits. On a rebalance ({@link CooperativeStickyAssignor}: only partitions that move
 * are revoked) it has the owner stop the revoked partitions and commits the checkpoints they hand back before the rebalance
 * goes on, so the next owner starts where this one stopped; it starts assigned ones at the group's commit.
 *
 * <p>Kafka's consumer is single-threaded, so the workers' checkpoints ({@link #commit}) are handed to this thread and
 * committed on its next turn (within 100 ms); a commit that failed is reported by the next call for that partition.
 */
final class KafkaGroupMember implements GroupMembership, ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaGroupMember.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaStream stream;
    private final String group;
    private final PartitionOwner owner;
    private final Runnable onClose;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> pending = new ConcurrentHashMap<>();
    private final Map<Integer, String> commitFailures = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean joined;
    private volatile boolean running = true;
    private volatile Health health = Health.ok();

    KafkaGroupMember(KafkaEngine engine, KafkaStream stream, String group, PartitionOwner owner, Runnable onClose) {
        this.stream = stream;
        this.group = group;
        this.owner = owner;
        this.onClose = onClose;
        this.consumer = engine.consumer("group-" + group, Map.of(ConsumerConfig.GROUP_ID_CONFIG, stream.groupId(group),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
        this.thread = new Thread(this::run, "kafka-group-" + stream.name() + "-" + group);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(stream.name()), this);
            while (running) {
                try {
                    consumer.poll(POLL); // heartbeats, rebalances (the callbacks below); no records: every partition is paused
                    commitPending();
                    if (!health.up()) {
                        health = Health.ok();
                    }
                } catch (KafkaException e) {
                    if (health.up()) {
                        LOG.warn("{} group {}: {}", stream.name(), group, e.toString());
                        health = Health.down("the group member cannot reach the broker (" + e.getMessage() + ")", Instant.now());
                    }
                    sleepQuietly();
                }
            }
            commitPending();
        } catch (RuntimeException e) {
            LOG.error("{} group {}: the group member stopped", stream.name(), group, e);
            health = Health.down("the group member stopped (" + e + ")", Instant.now());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10)); // revokes what it owns (onPartitionsRevoked: stop, commit) and leaves
            } catch (RuntimeException e) {
                LOG.warn("{} group {}: leaving the group: {}", stream.name(), group, e.toString());
            }
            owner.lost(Set.copyOf(owned)); // anything the close could not revoke stops uncommitted
            owned.clear();
        }
    }

    private void commitPending() {
        if (pending.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Integer p : Set.copyOf(pending.keySet())) {
            Long at = pending.remove(p);
            if (at != null && owned.contains(p)) {
                offsets.put(new TopicPartition(stream.name(), p), new OffsetAndMetadata(at));
            }
        }
        commit(offsets);
    }

    private boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return true;
        }
        try {
            consumer.commitSync(offsets);
            offsets.keySet().forEach(tp -> commitFailures.remove(tp.partition()));
            return true;
        } catch (KafkaException e) {
            offsets.keySet().forEach(tp -> commitFailures.put(tp.partition(), e.getMessage() == null ? e.toString() : e.getMessage()));
            LOG.warn("{} group {}: commit of {} failed: {}", stream.name(), group, offsets, e.toString());
            return false;
        }
    }

    /** Hands a worker's checkpoint to this member's thread; throws if the last one of the partition could not be committed. */
    void commit(int partition, long offset) {
        String failed = commitFailures.remove(partition);
        pending.put(partition, offset);
        if (failed != null) {
            throw new FleetkitException(FleetkitException.Kind.UNAVAILABLE, "the commit to group " + group + " failed: " + failed);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            joined = true;
            return;
        }
        consumer.pause(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<Integer, Long> checkpoints = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            checkpoints.put(tp.partition(), at == null ? stream.startOffset(tp.partition()) : at.offset());
        }
        LOG.info("{} group {}: assigned partitions {} at {}", stream.name(), group, numbers(partitions), checkpoints);
        owned.addAll(checkpoints.keySet());
        owner.assigned(checkpoints);
        joined = true; // only now: joined with nothing owned yet would read as "caught up" on nothing
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Set<Integer> ps = numbers(partitions);
        ps.forEach(pending::remove);
        Map<Integer, Long> last = owner.revoked(ps);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        last.forEach((p, at) -> offsets.put(new TopicPartition(stream.name(), p), new OffsetAndMetadata(at)));
        boolean committed = commit(offsets);
        owned.removeAll(ps);
        LOG.info("{} group {}: partitions {} revoked{}", stream.name(), group, ps, committed ? ", checkpoints " + last + " committed"
                : "; their checkpoints could not be committed, so the next owner repeats what came after the last");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        Set<Integer> ps = numbers(partitions);
        LOG.warn("{} group {}: partitions {} lost (this member was dropped from the group); what was not committed comes again",
                stream.name(), group, ps);
        ps.forEach(pending::remove);
        owner.lost(ps);
        owned.removeAll(ps);
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public Set<Integer> owned() {
        return Set.copyOf(owned);
    }

    @Override
    public boolean joined() {
        return joined;
    }

    @Override
    public Health health() {
        if (running && !thread.isAlive()) {
            return Health.down("the group member's thread has ended", Instant.now());
        }
        if (!commitFailures.isEmpty()) {
            return Health.down("commits to group " + group + " fail: " + commitFailures, Instant.now());
        }
        return health;
    }

    /** Leaves the group: the owner stops its partitions and their checkpoints are committed first. */
    @Override
    public void close() {
        running = false; // the thread sees it within a poll (no wakeup(): it could cut short the commit of a rebalance)
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose.run();
    }
}

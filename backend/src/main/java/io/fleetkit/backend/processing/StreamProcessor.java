package io.fleetkit.backend.processing;

import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.stream.GroupMembership;
import io.fleetkit.backend.stream.PartitionOwner;
import io.fleetkit.backend.stream.PartitionReader;
import io.fleetkit.backend.stream.PartitionWorkers;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.message.Alert;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link DeviceMessageHandler} over one stream as a consumer group: it {@link Stream#join joins} the group, and runs
 * one thread per partition the engine gives it (parallel across partitions, in order within one) — on the file log every
 * partition, on Kafka its share, which moves when members come and go. A partition starts at the group's checkpoint, or
 * where the handler's own store says it got to ({@link DeviceMessageHandler#resumeAt}). After each batch it calls
 * {@link DeviceMessageHandler#flush(MessageContext)}; what is flushed is checkpointed at most once a second per partition
 * (busy or idle, within a second), and when the partition leaves (a rebalance, a stop) before another member may take it.
 * A stop re-delivers at most the batch in flight, a crash at most the last second's batches: at least once, with handlers
 * that tolerate a repeat (the store ignores rows it has).
 *
 * <p>Why not after every batch: a checkpoint is a small file replaced atomically (a create and a
 * rename), and at a few thousand messages a second the batches are small — a few hundred of those
 * metadata writes a second from each processor, which the stream's fsync before every PUBACK then
 * waits behind in the file system's journal (BENCHMARKS.md, "Where the latency goes").
 */
public final class StreamProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);
    private static final Duration IDLE_WAIT = Duration.ofMillis(100);
    private static final long RECHECK_NANOS = Duration.ofMillis(1).toNanos();
    private static final long FIRST_RETRY_NANOS = Duration.ofMillis(100).toNanos();
    private static final long MAX_RETRY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final long CHECKPOINT_NANOS = Duration.ofSeconds(1).toNanos();

    private final Stream stream;
    private final String group;
    private final DeviceMessageHandler handler;
    private final int batchSize;
    private PartitionWorkers workers;
    private GroupMembership membership;
    /** Per partition, the offset after the last flushed batch (checkpointed or not yet); -1 until its worker knows where it starts. */
    private final AtomicLongArray flushed;
    /** Per partition, the group's checkpoint as this member last knew or wrote it. */
    private final AtomicLongArray checkpoints;
    private final LongAdder handled = new LongAdder();
    private final StageTimings.Series handed;
    private final StageTimings.Series handledStage;
    private final StageTimings.Series stored;
    private final StageTimings.Series endToEnd;
    private final LongAdder undecodable = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Problems problems;
    private final DecodedMessages decoded;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StreamProcessor(Stream stream, String group, DeviceMessageHandler handler, int batchSize, StageTimings timings,
                            DecodedMessages decoded) {
        this.stream = stream;
        this.handed = timings.series(StageTimings.Stage.HANDED, group);
        this.handledStage = timings.series(StageTimings.Stage.HANDLED, group);
        this.stored = timings.series(StageTimings.Stage.STORED, group);
        this.endToEnd = timings.series(StageTimings.Stage.END_TO_END, group);
        this.group = group;
        this.handler = handler;
        this.batchSize = batchSize;
        this.problems = new Problems();
        this.decoded = decoded.join();
        this.flushed = new AtomicLongArray(stream.partitions());
        this.checkpoints = new AtomicLongArray(stream.partitions());
        for (int p = 0; p < stream.partitions(); p++) {
            flushed.set(p, -1);
        }
    }

    /** The records a worker reads and handles at a time, unless told otherwise. */
    public static final int BATCH_SIZE = 500;

    /** Starts consuming {@code stream} as {@code group} with batches of up to {@link #BATCH_SIZE} records. */
    public static StreamProcessor start(Stream stream, String group, DeviceMessageHandler handler) {
        return start(stream, group, handler, BATCH_SIZE);
    }

    public static StreamProcessor start(Stream stream, String group, DeviceMessageHandler handler, int batchSize) {
        return start(stream, group, handler, batchSize, new StageTimings());
    }

    /** @param timings where the group's stage latencies go (handed, handled, stored), beside the hub's */
    public static StreamProcessor start(Stream stream, String group, DeviceMessageHandler handler, int batchSize, StageTimings timings) {
        return start(stream, group, handler, batchSize, timings, DecodedMessages.of(stream));
    }

    /**
     * @param decoded the stream's decoded messages, shared with the process's other groups on it (one per stream, made by
     *                the process's assembly): a record is then decoded once for all of them
     */
    public static StreamProcessor start(Stream stream, String group, DeviceMessageHandler handler, int batchSize, StageTimings timings,
                                        DecodedMessages decoded) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size: at least 1, was " + batchSize);
        }
        if (decoded.partitions() != stream.partitions()) {
            throw new IllegalArgumentException("decoded messages for " + decoded.partitions() + " partitions, the stream " + stream.name()
                    + " has " + stream.partitions());
        }
        StreamProcessor p = new StreamProcessor(stream, group, handler, batchSize, timings, decoded);
        p.workers = new PartitionWorkers("processor-" + stream.name() + "-" + group, stream.partitions(), p::consume);
        try {
            p.membership = stream.join(group, p.new Owner());
        } catch (RuntimeException e) {
            p.decoded.leave();
            throw e;
        }
        return p;
    }

    /** Starts and stops partition workers as the engine moves partitions to and from this member. */
    private final class Owner implements PartitionOwner {
        @Override
        public void assigned(Map<Integer, Long> given) {
            given.forEach((partition, checkpoint) -> {
                checkpoints.set(partition, checkpoint);
                flushed.set(partition, -1);
                workers.start(partition);
            });
        }

        @Override
        public Map<Integer, Long> revoked(Set<Integer> partitions) {
            workers.stop(partitions);
            Map<Integer, Long> last = new HashMap<>();
            for (int p : partitions) {
                long at = flushed.getAndSet(p, -1); // everything flushed, and nothing of a batch in flight
                if (at >= 0) {
                    last.put(p, at);
                    checkpoints.set(p, at);
                }
            }
            return last;
        }

        @Override
        public void lost(Set<Integer> partitions) {
            workers.stop(partitions);
            partitions.forEach(p -> flushed.set(p, -1));
        }
    }

    private void consume(int partition) {
        long checkpointed = checkpoints.get(partition);
        long next = flushed.get(partition) >= 0 ? flushed.get(partition) : resumePoint(partition, checkpointed); // a restart goes on
        if (next < 0) {
            return; // stopped before it could start
        }
        flushed.set(partition, next);
        problems.handler(partition, null); // started (again): a failure the supervisor reported is over, a checkpoint problem stays
        Checkpoint checkpoint = new Checkpoint(partition, checkpointed);
        long[] handledAt = new long[batchSize]; // when each record of the batch was handled (nanoTime), for its stored stage
        long[] handedMicros = new long[batchSize]; // each record's accepted → handed, for its end to end
        try (PartitionReader reader = stream.reader(partition)) {
            while (workers.running(partition)) {
                List<StreamRecord> batch = reader.read(next, batchSize, checkpoint.waitAtMost(next));
                if (batch.isEmpty()) {
                    checkpoint.writeIfDue(next);
                    continue;
                }
                long read = System.nanoTime();
                Instant readAt = Instant.now();
                for (int i = 0; i < batch.size(); i++) { // the enqueued time is the hub's wall clock: another process's, with Kafka
                    handedMicros[i] = ChronoUnit.MICROS.between(batch.get(i).enqueuedTime(), readAt);
                    handed.record(handedMicros[i]);
                }
                for (int i = 0; i < batch.size(); i++) {
                    StreamRecord r = batch.get(i);
                    MessageContext context = MessageContext.of(stream.name(), partition, r);
                    if (!retrying(partition, r.offset(), () -> dispatch(context, r))) {
                        return; // stopped mid-batch: nothing of it is checkpointed, so it comes again
                    }
                    handledAt[i] = System.nanoTime();
                    handledStage.record((handledAt[i] - read) / 1000); // a record waits for those before it in its batch
                }
                StreamRecord last = batch.get(batch.size() - 1);
                MessageContext lastContext = MessageContext.of(stream.name(), partition, last);
                if (!retrying(partition, last.offset(), () -> handler.flush(lastContext))) {
                    return;
                }
                long flushedAt = System.nanoTime();
                for (int i = 0; i < batch.size(); i++) {
                    stored.record((flushedAt - handledAt[i]) / 1000);
                    endToEnd.record(handedMicros[i] + (flushedAt - read) / 1000);
                }
                next = last.offset() + 1;
                flushed.set(partition, next);
                checkpoint.writeIfDue(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where a partition's worker starts: where the handler's own store says it got to ({@link DeviceMessageHandler#resumeAt}),
     * else the group's {@code checkpoint}; -1 when the processor stopped while the handler's store could not be asked.
     */
    private long resumePoint(int partition, long checkpoint) {
        OptionalLong[] kept = new OptionalLong[1];
        if (!retrying(partition, checkpoint, () -> kept[0] = handler.resumeAt(stream.name(), partition))) {
            return -1;
        }
        if (kept[0].isEmpty() || kept[0].getAsLong() == checkpoint) {
            return checkpoint;
        }
        long at = kept[0].getAsLong();
        long end = stream.endOffset(partition);
        if (at > end) { // the stream is not the one the store's position was saved for: its directory was replaced
            LOG.warn("{} group {} partition {}: the handler's store says it got to {}, past the stream's end {}; resuming at the"
                    + " stream's checkpoint {}", stream.name(), group, partition, at, end, checkpoint);
            return checkpoint;
        }
        if (at < checkpoint) {
            LOG.info("{} group {} partition {}: resuming at {}, where the handler's store ends, before the checkpoint {}: the"
                    + " store came back without its last commits, which are handled again", stream.name(), group, partition, at, checkpoint);
        }
        return at;
    }

    /** One partition's checkpoint, written by its worker thread: at most once per {@link #CHECKPOINT_NANOS}, and last on stop. */
    private final class Checkpoint {
        private final int partition;
        private long written;
        private long writtenAt = System.nanoTime();

        /** @param written the checkpoint in the stream now (where the worker starts may differ: then it is written) */
        Checkpoint(int partition, long written) {
            this.partition = partition;
            this.written = written;
        }

        /**
         * Writes the checkpoint if one is due. One that cannot be written (a full disk) is reported and tried again a second
         * later; processing goes on meanwhile, and what is not checkpointed is only delivered again after a restart.
         */
        void writeIfDue(long next) {
            if (next != written && System.nanoTime() - writtenAt >= CHECKPOINT_NANOS) {
                try {
                    write(next);
                    problems.checkpoint(partition, null);
                } catch (RuntimeException e) {
                    writtenAt = System.nanoTime(); // the next try in a second, not at once
                    if (problems.checkpoint(partition, "the checkpoint at " + next + " cannot be written (" + e.getMessage() + ")")) {
                        LOG.warn("{} group {} partition {}: checkpoint at {} not written ({}); retrying every second",
                                stream.name(), group, partition, next, e.toString());
                    }
                }
            }
        }

        void write(long next) {
            if (next != written) {
                stream.commit(group, partition, next);
                checkpoints.set(partition, next);
                written = next;
                writtenAt = System.nanoTime();
            }
        }

        /** How long an idle worker may wait: until a pending checkpoint is due, at most {@link #IDLE_WAIT}. */
        Duration waitAtMost(long next) {
            if (next == written) {
                return IDLE_WAIT;
            }
            long due = writtenAt + CHECKPOINT_NANOS - System.nanoTime();
            return Duration.ofNanos(Math.max(RECHECK_NANOS, Math.min(IDLE_WAIT.toNanos(), due)));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs a step for the record at {@code offset} until it succeeds (true) or the processor stops (false), backing off
     * between tries, reporting while it fails.
     */
    private boolean retrying(int partition, long offset, Step step) {
        long wait = FIRST_RETRY_NANOS;
        while (workers.running(partition)) {
            try {
                step.run();
                if (wait != FIRST_RETRY_NANOS) {
                    problems.handler(partition, null);
                }
                return true;
            } catch (Exception e) {
                failures.increment();
                problems.handler(partition, "the handler fails at offset " + offset + " and is retried (" + e.getMessage() + ")");
                LOG.warn("{} group {} partition {} offset {}: handler failed ({}), retrying in {} ms", stream.name(), group,
                        partition, offset, e.toString(), wait / 1_000_000);
                LockSupport.parkNanos(wait);
                wait = Math.min(wait * 2, MAX_RETRY_NANOS);
            }
        }
        return false;
    }

    private void dispatch(MessageContext context, StreamRecord r) throws Exception {
        if (RecordProperties.CONNECTION_STATE_EVENTS.equals(r.properties().get(RecordProperties.MESSAGE_SOURCE))) {
            handler.onConnectionState(context, RecordProperties.DEVICE_CONNECTED.equals(r.properties().get(RecordProperties.OP_TYPE)));
            handled.increment();
            return;
        }
        DeviceMessage message;
        try {
            message = decoded.decode(context.partition(), r); // once for all of this process's groups on the stream
        } catch (ProtocolException e) {
            handler.onUndecodable(context, e);
            undecodable.increment();
            return;
        }
        if (message instanceof Telemetry t) {
            handler.onTelemetry(context, t);
        } else if (message instanceof Lifecycle l) {
            handler.onLifecycle(context, l);
        } else if (message instanceof Alert a) {
            handler.onAlert(context, a);
        } else if (message instanceof Presence p) {
            handler.onPresence(context, p);
        }
        handled.increment();
    }

    /**
     * Waits until the group has handled and flushed every record appended so far (its checkpoint
     * follows within a second, or on {@link #close}); false on timeout.
     */
    public boolean awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            boolean caughtUp = membership.joined();
            for (Iterator<Integer> owned = membership.owned().iterator(); owned.hasNext() && caughtUp; ) {
                int p = owned.next();
                caughtUp = flushed.get(p) >= stream.endOffset(p);
            }
            if (caughtUp) {
                return true;
            }
            LockSupport.parkNanos(5 * RECHECK_NANOS);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** The stream's decodes this group shares with the process's other groups on it. */
    public DecodedMessages decoded() {
        return decoded;
    }

    /** The stream this group reads. */
    public String streamName() {
        return stream.name();
    }

    /** Messages handled (decoded and passed to the handler successfully). */
    public long handled() {
        return handled.sum();
    }

    /** Records appended to the stream and not yet handled and flushed by this group, over the partitions this member owns. */
    public long backlog() {
        long n = 0;
        for (int p : membership.owned()) {
            long at = flushed.get(p);
            n += Math.max(0, stream.endOffset(p) - (at < 0 ? checkpoints.get(p) : at));
        }
        return n;
    }

    public long undecodable() {
        return undecodable.sum();
    }

    /** The partitions this member consumes now (on the file log all of them; on Kafka its share of the group's). */
    public Set<Integer> partitions() {
        return membership.owned();
    }

    /**
     * UP while every partition's worker runs and gets on; DOWN naming the partitions whose handler is being retried, whose
     * checkpoint cannot be written, or whose worker failed and restarts.
     */
    public Health health() {
        Health member = membership.health();
        return member.up() ? workers.health() : member;
    }

    /** What holds each partition up now, as the worker tells {@link PartitionWorkers}: a failing handler, a failing checkpoint. */
    private final class Problems {
        private final String[] handler = new String[stream.partitions()];
        private final String[] checkpoint = new String[stream.partitions()];

        /** @return whether this is news (the problem was not already reported) */
        synchronized boolean handler(int partition, String problem) {
            return set(handler, checkpoint, partition, problem);
        }

        synchronized boolean checkpoint(int partition, String problem) {
            return set(checkpoint, handler, partition, problem);
        }

        private boolean set(String[] these, String[] others, int partition, String problem) {
            boolean news = problem != null && these[partition] == null;
            these[partition] = problem;
            String other = others[partition];
            if (problem == null && other == null) {
                workers.fine(partition);
            } else {
                workers.trouble(partition, problem == null ? other : other == null ? problem : problem + "; " + other);
            }
            return news;
        }
    }

    /** Handler failures, each followed by a retry. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Leaves the group: the partition threads stop and what they flushed is checkpointed; a batch in flight is not, and is
     * delivered again next time.
     */
    @Override
    public void close() {
        membership.close();
        workers.stopAll(); // none left, unless the engine lost the partitions without telling
        if (closed.compareAndSet(false, true)) {
            decoded.leave();
        }
    }
}

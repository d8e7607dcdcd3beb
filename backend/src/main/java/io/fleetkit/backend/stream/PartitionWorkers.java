package io.fleetkit.backend.stream;

import io.fleetkit.backend.health.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One daemon thread per partition of a stream, for consumers (processors, capture): each runs
 * {@code work} with its partition and returns when {@link #running()} turns false. Workers that
 * wait use {@link LockSupport#parkNanos}, which {@link #stop()} cuts short, or wait at most
 * about 100 ms at a time (a stream's {@code awaitAppend}).
 *
 * <p>Supervised: whatever {@code work} throws (an I/O error, an {@link Error}) is logged, the
 * partition is reported DOWN, and the work starts again after a back-off (0.1 s doubling to 10 s),
 * so a worker never dies silently. The work reports trouble it survives itself ({@link #trouble},
 * {@link #fine}); {@link #health()} sums up every partition.
 */
public final class PartitionWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorkers.class);
    private static final long FIRST_RESTART_NANOS = 100_000_000L;
    private static final long MAX_RESTART_NANOS = 10_000_000_000L;

    private final String name;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReferenceArray<Health> states;
    private volatile boolean running = true;

    /** Prepares {@code partitions} threads named {@code {name}-p{n}}; {@link #start()} starts them. */
    public PartitionWorkers(String name, int partitions, IntConsumer work) {
        this.name = name;
        this.states = new AtomicReferenceArray<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            states.set(p, Health.ok());
            Thread t = new Thread(() -> supervise(partition, work), name + "-p" + p);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    private void supervise(int partition, IntConsumer work) {
        long wait = FIRST_RESTART_NANOS;
        while (running) {
            try {
                work.accept(partition);
            } catch (Throwable t) {
                trouble(partition, "the worker failed and restarts (" + t + ")");
                LOG.error("{} partition {}: the worker failed; restarting in {} ms", name, partition, wait / 1_000_000, t);
                LockSupport.parkNanos(wait);
                wait = Math.min(wait * 2, MAX_RESTART_NANOS);
            }
        }
    }

    /**
     * Starts the threads. Separate from the constructor so that the owner can store this object
     * in a field its workers read before any of them runs.
     */
    public void start() {
        threads.forEach(Thread::start);
    }

    public boolean running() {
        return running;
    }

    /** The work of {@code partition} is held up (a failing handler, a checkpoint it cannot write): DOWN until {@link #fine}. */
    public void trouble(int partition, String why) {
        Health now = states.get(partition);
        if (now.up() || !now.detail().equals(why)) {
            states.set(partition, Health.down(why, now.up() ? Instant.now() : now.since()));
        }
    }

    /** The work of {@code partition} goes on normally again. */
    public void fine(int partition) {
        if (!states.get(partition).up()) {
            states.set(partition, Health.ok());
        }
    }

    /** UP when every partition's worker is alive and fine; otherwise DOWN naming each partition that is not. */
    public Health health() {
        StringBuilder why = new StringBuilder();
        Instant since = null;
        for (int p = 0; p < threads.size(); p++) {
            Health h = states.get(p);
            if (running && !threads.get(p).isAlive() && threads.get(p).getState() != Thread.State.NEW) {
                h = Health.down("the worker thread has ended", h.up() ? Instant.now() : h.since());
            }
            if (!h.up()) {
                why.append(why.isEmpty() ? "" : "; ").append("partition ").append(p).append(": ").append(h.detail());
                since = since == null || h.since().isBefore(since) ? h.since() : since;
            }
        }
        return why.isEmpty() ? Health.ok() : Health.down(why.toString(), since);
    }

    /** Tells the workers to finish and waits up to 10 s for each. */
    public void stop() {
        running = false;
        threads.forEach(LockSupport::unpark);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

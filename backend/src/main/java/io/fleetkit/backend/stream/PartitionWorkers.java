package io.fleetkit.backend.stream;

import io.fleetkit.backend.health.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One daemon thread per partition a consumer owns (processors, capture), started when the partition is assigned to it and
 * stopped when it leaves ({@link GroupMembership}): each runs {@code work} with its partition and returns when
 * {@link #running(int)} turns false. Workers that wait use {@link LockSupport#parkNanos}, which {@link #stop} cuts short, or
 * wait at most about 100 ms at a time (a {@link PartitionReader}).
 *
 * <p>Supervised: whatever {@code work} throws (an I/O error, an {@link Error}) is logged, the partition is reported DOWN, and
 * the work starts again after a back-off (0.1 s doubling to 10 s), so a worker never dies silently. The work reports trouble
 * it survives itself ({@link #trouble}, {@link #fine}); {@link #health()} sums up every partition being worked on.
 */
public final class PartitionWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorkers.class);
    private static final long FIRST_RESTART_NANOS = 100_000_000L;
    private static final long MAX_RESTART_NANOS = 10_000_000_000L;

    private final String name;
    private final IntConsumer work;
    /** Per partition, the worker on it now; null while the partition is not this consumer's. */
    private final AtomicReferenceArray<Worker> workers;

    /** One start of one partition's work: its thread, whether it should go on, how it is doing. */
    private static final class Worker {
        final Thread thread;
        volatile boolean running = true;
        volatile Health state = Health.ok();

        Worker(Thread thread) {
            this.thread = thread;
        }
    }

    /** Workers for a stream of {@code partitions} partitions, threads named {@code {name}-p{n}}; none runs until {@link #start}. */
    public PartitionWorkers(String name, int partitions, IntConsumer work) {
        this.name = name;
        this.work = work;
        this.workers = new AtomicReferenceArray<>(partitions);
    }

    /** Starts the work of {@code partition} on a thread of its own; a partition already worked on is left as it is. */
    public synchronized void start(int partition) {
        if (workers.get(partition) != null) {
            return;
        }
        Worker[] self = new Worker[1];
        Thread t = new Thread(() -> supervise(partition, self[0]), name + "-p" + partition);
        t.setDaemon(true);
        self[0] = new Worker(t);
        workers.set(partition, self[0]);
        t.start();
    }

    private void supervise(int partition, Worker self) {
        long wait = FIRST_RESTART_NANOS;
        while (self.running) {
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

    /** Whether the calling worker of {@code partition} should go on: false once its partition is stopped (or given to a newer worker). */
    public boolean running(int partition) {
        Worker w = workers.get(partition);
        return w != null && w.running && w.thread == Thread.currentThread();
    }

    /** The partitions being worked on. */
    public List<Integer> started() {
        List<Integer> ps = new ArrayList<>();
        for (int p = 0; p < workers.length(); p++) {
            if (workers.get(p) != null) {
                ps.add(p);
            }
        }
        return ps;
    }

    /** The work of {@code partition} is held up (a failing handler, a checkpoint it cannot write): DOWN until {@link #fine}. */
    public void trouble(int partition, String why) {
        Worker w = workers.get(partition);
        if (w != null && (w.state.up() || !w.state.detail().equals(why))) {
            w.state = Health.down(why, w.state.up() ? Instant.now() : w.state.since());
        }
    }

    /** The work of {@code partition} goes on normally again. */
    public void fine(int partition) {
        Worker w = workers.get(partition);
        if (w != null && !w.state.up()) {
            w.state = Health.ok();
        }
    }

    /** UP when every started partition's worker is alive and fine; otherwise DOWN naming each partition that is not. */
    public Health health() {
        StringBuilder why = new StringBuilder();
        Instant since = null;
        for (int p = 0; p < workers.length(); p++) {
            Worker w = workers.get(p);
            if (w == null) {
                continue;
            }
            Health h = w.state;
            if (w.running && !w.thread.isAlive()) {
                h = Health.down("the worker thread has ended", h.up() ? Instant.now() : h.since());
            }
            if (!h.up()) {
                why.append(why.isEmpty() ? "" : "; ").append("partition ").append(p).append(": ").append(h.detail());
                since = since == null || h.since().isBefore(since) ? h.since() : since;
            }
        }
        return why.isEmpty() ? Health.ok() : Health.down(why.toString(), since);
    }

    /** Tells the workers of {@code partitions} to finish, all at once, and waits up to 10 s for each. */
    public void stop(Collection<Integer> partitions) {
        List<Worker> stopping = new ArrayList<>();
        synchronized (this) {
            for (int p : partitions) {
                Worker w = workers.getAndSet(p, null);
                if (w != null) {
                    w.running = false;
                    LockSupport.unpark(w.thread);
                    stopping.add(w);
                }
            }
        }
        for (Worker w : stopping) {
            if (w.thread == Thread.currentThread()) {
                continue;
            }
            try {
                w.thread.join(10_000);
                if (w.thread.isAlive()) {
                    LOG.warn("{}: {} did not finish within 10 s of being told to stop", name, w.thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops every partition's worker ({@link #stop}). */
    public void stopAll() {
        stop(started());
    }
}

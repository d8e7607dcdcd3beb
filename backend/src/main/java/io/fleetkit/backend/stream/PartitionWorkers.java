package io.fleetkit.backend.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One daemon thread per partition of a stream, for consumers (processors, capture): each runs
 * {@code work} with its partition and returns when {@link #running()} turns false. Workers that
 * wait use {@link LockSupport#parkNanos}, which {@link #stop()} cuts short, or wait at most
 * about 100 ms at a time (a stream's {@code awaitAppend}).
 */
public final class PartitionWorkers {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** Prepares {@code partitions} threads named {@code {name}-p{n}}; {@link #start()} starts them. */
    public PartitionWorkers(String name, int partitions, IntConsumer work) {
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Thread t = new Thread(() -> work.accept(partition), name + "-p" + p);
            t.setDaemon(true);
            threads.add(t);
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

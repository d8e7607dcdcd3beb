package io.fleetkit.backend.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Keeps accepted messages in memory (the most recent {@code capacity}), and lets a caller wait
 * for one: the sink of the embedded hub until routing arrives, and of tests. Thread-safe.
 */
public final class InMemoryDeviceToCloudSink implements DeviceToCloudSink {
    private final int capacity;
    private final List<DeviceToCloudMessage> messages = new ArrayList<>();
    private long accepted;

    public InMemoryDeviceToCloudSink(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized CompletionStage<Void> accept(DeviceToCloudMessage message) {
        messages.add(message);
        if (messages.size() > capacity) {
            messages.remove(0);
        }
        accepted++;
        notifyAll();
        return CompletableFuture.completedFuture(null);
    }

    /** How many messages were accepted since the start. */
    public synchronized long accepted() {
        return accepted;
    }

    public synchronized List<DeviceToCloudMessage> messages() {
        return List.copyOf(messages);
    }

    /**
     * Waits for a message that matches.
     *
     * @throws TimeoutException when none arrives in time
     */
    public synchronized DeviceToCloudMessage await(Predicate<DeviceToCloudMessage> match, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (DeviceToCloudMessage m : messages) {
                if (match.test(m)) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no matching message within " + timeout);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}

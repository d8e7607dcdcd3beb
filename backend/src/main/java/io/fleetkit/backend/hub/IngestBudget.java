package io.fleetkit.backend.hub;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Payload bytes the hub has handed to its {@link DeviceToCloudSink} and not yet seen completed, over
 * every connection: the memory that device-to-cloud messages hold while the stream (disk, broker)
 * catches up. Past the limit, each connection that publishes pauses (the gateway stops reading from
 * it) and asks to be resumed with {@link #whenAvailable}; all of them resume once the bytes held drop
 * below three quarters of the limit. What is held therefore never passes the limit by more than the
 * messages already read when the pause began. Thread-safe.
 */
public final class IngestBudget {
    private final long limit;
    private final long resumeBelow;
    private final AtomicLong held = new AtomicLong();
    /** Paused connections' resume actions: each connection registers at most once per pause, so at most one per connection. */
    private final Queue<Runnable> paused = new ConcurrentLinkedQueue<>();

    public IngestBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("limitBytes: must be positive, was " + limitBytes);
        }
        this.limit = limitBytes;
        this.resumeBelow = limitBytes - limitBytes / 4;
    }

    /** Holds {@code bytes} for a message handed to the sink; true when the budget is now spent (the caller should pause). */
    public boolean hold(long bytes) {
        return held.addAndGet(bytes) >= limit;
    }

    /** Gives back what {@link #hold} took, once the sink completed (either way); resumes the paused when below three quarters. */
    public void release(long bytes) {
        if (held.addAndGet(-bytes) < resumeBelow) {
            resumePaused();
        }
    }

    /** Runs {@code resume} once the budget has room again: at once, on this thread, if it already has. */
    public void whenAvailable(Runnable resume) {
        paused.add(resume);
        if (held.get() < resumeBelow) {
            resumePaused();
        }
    }

    private void resumePaused() {
        Runnable r;
        while ((r = paused.poll()) != null) {
            r.run();
        }
    }

    /** Bytes held now. */
    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }

    /** Connections waiting for room now. */
    public int pausedConnections() {
        return paused.size();
    }
}

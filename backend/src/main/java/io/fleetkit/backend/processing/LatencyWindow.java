package io.fleetkit.backend.processing;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Latencies in milliseconds, read as percentiles of the last second or so: the dashboard's chart over
 * time. Recording is lock-free (HdrHistogram's {@link Recorder}); however many readers ask, the window
 * is folded at most once a second, so each reader sees the same figures.
 */
public final class LatencyWindow {
    private static final long MAX_MILLIS = TimeUnit.HOURS.toMillis(1);
    private static final long FOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Recorder recorder = new Recorder(MAX_MILLIS, 2);
    private final LongSupplier nanoTime;
    private long lastFold;
    private Map<String, Double> last = Map.of();

    public LatencyWindow() {
        this(System::nanoTime);
    }

    /** With a clock of its own (tests). */
    LatencyWindow(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastFold = nanoTime.getAsLong();
    }

    public void record(long millis) {
        recorder.recordValue(Math.max(0, Math.min(MAX_MILLIS, millis)));
    }

    /** {@code p50} and {@code p99} of the last window; empty when nothing was recorded in it. */
    public synchronized Map<String, Double> percentiles() {
        long now = nanoTime.getAsLong();
        if (now - lastFold >= FOLD_NANOS) {
            lastFold = now;
            Histogram h = recorder.getIntervalHistogram();
            last = h.getTotalCount() == 0 ? Map.of()
                    : Map.of("p50", (double) h.getValueAtPercentile(50), "p99", (double) h.getValueAtPercentile(99));
        }
        return last;
    }
}

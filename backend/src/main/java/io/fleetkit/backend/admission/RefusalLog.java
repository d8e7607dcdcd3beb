package io.fleetkit.backend.admission;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Logs refusals without letting a flood of them flood the log: per kind (a fixed set of names the
 * caller chooses, such as "CONNECT refused: NOT_AUTHORIZED"), the first refusal of an interval is
 * logged as it is, the others are only counted, and the next line logged says how many were left
 * out. Every refusal is counted ({@link #counts}) for the metrics. Thread-safe.
 */
public final class RefusalLog {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final LongAdder total = new LongAdder();
        long loggedAt;
        boolean logged;
        long leftOut;
    }

    public RefusalLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RefusalLog(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * One refusal of {@code kind}, described by an SLF4J message with its arguments; logged at WARN
     * when it is the first of its interval.
     */
    public void refused(String kind, String message, Object... args) {
        Window w = windows.computeIfAbsent(kind, k -> new Window());
        w.total.increment();
        long leftOut;
        synchronized (w) {
            long now = nanoTime.getAsLong();
            if (w.logged && now - w.loggedAt < intervalNanos) {
                w.leftOut++;
                return;
            }
            leftOut = w.leftOut;
            w.logged = true;
            w.loggedAt = now;
            w.leftOut = 0;
        }
        if (leftOut > 0) {
            log.warn(message + " (and {} more like it since the last such line, counted but not logged)",
                    append(args, leftOut));
        } else {
            log.warn(message, args);
        }
    }

    /** Refusals so far by kind. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        windows.forEach((k, w) -> out.put(k, w.total.sum()));
        return out;
    }

    private static Object[] append(Object[] args, Object... more) {
        Object[] all = new Object[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}

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
    private volatile java.util.function.Consumer<String> newKinds = kind -> { };

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
        Window w = windows.get(kind);
        if (w == null) {
            boolean[] made = {false};
            w = windows.computeIfAbsent(kind, k -> {
                made[0] = true;
                return new Window();
            });
            if (made[0]) {
                newKinds.accept(kind);
            }
        }
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

    /**
     * Told of each kind when its first refusal comes (e.g. to register a metric for it), and at once of the kinds seen
     * before; a kind may be told twice when it first comes meanwhile. Kinds are a bounded set.
     */
    public void onNewKind(java.util.function.Consumer<String> listener) {
        this.newKinds = java.util.Objects.requireNonNull(listener, "listener");
        windows.keySet().forEach(listener);
    }

    /** Refusals of one kind so far. */
    public long count(String kind) {
        Window w = windows.get(kind);
        return w == null ? 0 : w.total.sum();
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

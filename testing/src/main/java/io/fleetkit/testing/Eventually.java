package io.fleetkit.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way fleetkit's tests wait: for a condition that another thread (or process) makes true. Polls every 20 ms and
 * fails with an {@link AssertionError} naming what was awaited after 10 s, or the time given. No test sleeps for a fixed time
 * instead.
 */
public final class Eventually {
    private static final long POLL_NANOS = 20_000_000;

    private Eventually() {
    }

    /** Waits up to 10 s for {@code condition}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(10), condition);
    }

    /** As {@link #until(String, BooleanSupplier)}, for conditions that take longer (a recovery, a restart, a swarm). */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        until(what, within, condition, () -> "");
    }

    /**
     * As {@link #until(String, Duration, BooleanSupplier)}; when it times out, the failure adds {@code state} — what the
     * test can see of why (counts, states), read at that moment.
     */
    public static void until(String what, Duration within, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String seen = state.get();
                throw new AssertionError(what + " within " + within + (seen.isEmpty() ? "" : "; " + seen));
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    /** Waits up to {@code within} for {@code value} to give a non-null result, and returns it. */
    public static <T> T value(String what, Duration within, Supplier<T> value) {
        Object[] seen = new Object[1];
        until(what, within, () -> (seen[0] = value.get()) != null);
        @SuppressWarnings("unchecked")
        T t = (T) seen[0];
        return t;
    }
}

package io.fleetkit.backend.throttle;

import java.util.function.LongSupplier;

/**
 * A token bucket that hands out permits at {@code ratePerSecond} with bursts up to
 * {@code burst}, and can reserve a future permit ("wait this long, then go"). Time comes from an
 * injected nanosecond clock, so tests need no sleeps. Thread-safe.
 */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    public RateLimiter(double ratePerSecond, double burst, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("ratePerSecond must be positive and burst at least 1, were " + ratePerSecond + ", " + burst);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /** A permit now, or 0 permits and how many nanoseconds until one would be free. */
    public synchronized long tryAcquire() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / ratePerNano);
    }

    /**
     * Reserves a permit if it is free within {@code maxWaitNanos}: returns the wait (0 = now), or
     * -1 when the wait would be longer (nothing is reserved then).
     */
    public synchronized long reserve(long maxWaitNanos) {
        refill();
        long wait = tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNano);
        if (wait > maxWaitNanos) {
            return -1;
        }
        tokens -= 1;
        return wait;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
    }
}

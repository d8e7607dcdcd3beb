package io.fleetkit.backend.throttle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live throttles of one hub + DPS, built from a {@link ThrottleProfile}, and the counters of
 * what they held back. The profile can be switched at run time. Thread-safe.
 *
 * <p>The hub delays work over its rate by up to {@link #HUB_MAX_DELAY} and refuses beyond that
 * (IoT Hub's traffic shaping); DPS answers 429 at once with the time to wait.
 */
public final class Throttles {
    /** How long the hub holds back a connection or a send before refusing it. */
    public static final long HUB_MAX_DELAY = TimeUnit.SECONDS.toNanos(5);
    /** DPS admits short bursts: a tenth of a minute's operations, at most 100 (S1: 100 of 1,000/min). */
    private static final double DPS_MAX_BURST = 100;

    private final LongSupplier nanoTime;
    private volatile State state;
    private final AtomicLong connectsDelayed = new AtomicLong();
    private final AtomicLong connectsRefused = new AtomicLong();
    private final AtomicLong sendsDelayed = new AtomicLong();
    private final AtomicLong sendsRefused = new AtomicLong();
    private final AtomicLong dpsThrottled = new AtomicLong();

    /** What a throttle says about one request. */
    public sealed interface Verdict {
        /** Go now. */
        Verdict GO = new Go();

        record Go() implements Verdict {
        }

        /** Go after this wait. */
        record Delay(long nanos) implements Verdict {
        }

        /** Refused; try again after this long. */
        record Refuse(long retryAfterNanos) implements Verdict {
        }
    }

    /** Counters since start, for metrics and the dashboard. */
    public record Counters(long connectsDelayed, long connectsRefused, long sendsDelayed, long sendsRefused, long dpsThrottled) {
    }

    private record State(ThrottleProfile profile, RateLimiter connects, RateLimiter sends, RateLimiter dps,
                         Map<String, RateLimiter> polls) {
    }

    public Throttles(ThrottleProfile profile, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        set(profile);
    }

    public Throttles(ThrottleProfile profile) {
        this(profile, System::nanoTime);
    }

    public ThrottleProfile profile() {
        return state.profile();
    }

    /** Switches the profile; buckets start full. */
    public void set(ThrottleProfile p) {
        state = new State(p,
                p.connectsPerSecond() > 0 ? new RateLimiter(p.connectsPerSecond(), p.connectsPerSecond(), nanoTime) : null,
                p.sendsPerSecond() > 0 ? new RateLimiter(p.sendsPerSecond(), p.sendsPerSecond(), nanoTime) : null,
                p.dpsOperationsPerMinute() > 0 ? new RateLimiter(p.dpsOperationsPerMinute() / 60,
                        Math.max(1, Math.min(DPS_MAX_BURST, p.dpsOperationsPerMinute() / 10)), nanoTime) : null,
                new ConcurrentHashMap<>());
    }

    /** A new hub connection. */
    public Verdict connect() {
        return hub(state.connects(), connectsDelayed, connectsRefused);
    }

    /** A device-to-cloud send. */
    public Verdict send() {
        return hub(state.sends(), sendsDelayed, sendsRefused);
    }

    /** A DPS register request. */
    public Verdict dpsRegister() {
        return dps(state.dps());
    }

    /** A DPS status poll by {@code registrationId}: the per-device limit, then the service's. */
    public Verdict dpsPoll(String registrationId) {
        State s = state;
        if (s.profile().pollsPer10sPerDevice() > 0) {
            int n = s.profile().pollsPer10sPerDevice();
            RateLimiter perDevice = s.polls().computeIfAbsent(registrationId, k -> new RateLimiter(n / 10.0, n, nanoTime));
            Verdict v = dps(perDevice);
            if (!(v instanceof Verdict.Go)) {
                return v;
            }
        }
        return dps(s.dps());
    }

    public Counters counters() {
        return new Counters(connectsDelayed.get(), connectsRefused.get(), sendsDelayed.get(), sendsRefused.get(), dpsThrottled.get());
    }

    private static Verdict hub(RateLimiter limiter, AtomicLong delayed, AtomicLong refused) {
        if (limiter == null) {
            return Verdict.GO;
        }
        long wait = limiter.reserve(HUB_MAX_DELAY);
        if (wait == 0) {
            return Verdict.GO;
        }
        if (wait > 0) {
            delayed.incrementAndGet();
            return new Verdict.Delay(wait);
        }
        refused.incrementAndGet();
        return new Verdict.Refuse(HUB_MAX_DELAY);
    }

    private Verdict dps(RateLimiter limiter) {
        if (limiter == null) {
            return Verdict.GO;
        }
        long wait = limiter.tryAcquire();
        if (wait == 0) {
            return Verdict.GO;
        }
        dpsThrottled.incrementAndGet();
        return new Verdict.Refuse(wait);
    }
}

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

    private record State(ThrottleProfile profile, int share, RateLimiter connects, RateLimiter sends, RateLimiter dps,
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
        set(p, state == null ? 1 : state.share());
    }

    /**
     * This process is one of {@code nodes} hub nodes of a cluster: the profile's rates are the hub's, so each node takes an equal
     * share of them (S1's 100 connects/s over 4 nodes: 25/s each) — fleetkit's choice, since the kernel or a load balancer
     * spreads connections evenly; a node that joins or dies changes the shares. The per-device poll limit stays whole: a
     * device polls one node. Buckets start full when the share changes.
     */
    public void share(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes: at least 1, was " + nodes);
        }
        State s = state;
        if (s.share() != nodes) {
            set(s.profile(), nodes);
        }
    }

    /** How many nodes share the profile's rates (1 for one process). */
    public int share() {
        return state.share();
    }

    private void set(ThrottleProfile p, int n) {
        double connects = p.connectsPerSecond() / n;
        double sends = p.sendsPerSecond() / n;
        double dpsPerMinute = p.dpsOperationsPerMinute() / n;
        state = new State(p, n,
                connects > 0 ? new RateLimiter(connects, Math.max(1, connects), nanoTime) : null,
                sends > 0 ? new RateLimiter(sends, Math.max(1, sends), nanoTime) : null,
                dpsPerMinute > 0 ? new RateLimiter(dpsPerMinute / 60, Math.max(1, Math.min(DPS_MAX_BURST / n, dpsPerMinute / 10)), nanoTime) : null,
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

package io.fleetkit.firmware.swarm;

import io.fleetkit.firmware.Action.Link;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.netty.NettyDevice;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a swarm measures, updated from every device's event loop: devices per lifecycle state,
 * failures by cause, registrations, connects, messages sent and acknowledged, DPS 429s, and
 * latency histograms (HdrHistogram recorders: provisioning from boot to online, hub connect,
 * PUBACK). Thread-safe.
 */
public final class SwarmMetrics implements NettyDevice.Listener {
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(30);

    private final Map<LifecycleState, AtomicInteger> states = new EnumMap<>(LifecycleState.class);
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final LongAdder registrations = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final AtomicLong everOnline = new AtomicLong();
    private final Recorder provisioning = new Recorder(MAX_NANOS, 3);
    private final Recorder connect = new Recorder(MAX_NANOS, 3);
    private final Recorder puback = new Recorder(MAX_NANOS, 3);
    private final Recorder method = new Recorder(MAX_NANOS, 3);
    private final Map<Integer, LongAdder> methodStatuses = new ConcurrentHashMap<>();
    private final Histogram provisioningTotal = new Histogram(MAX_NANOS, 3);
    private final Histogram connectTotal = new Histogram(MAX_NANOS, 3);
    private final Histogram pubackTotal = new Histogram(MAX_NANOS, 3);
    private final Histogram methodTotal = new Histogram(MAX_NANOS, 3);
    private final Map<NettyDevice, Long> bootedAt = new ConcurrentHashMap<>();

    public SwarmMetrics() {
        for (LifecycleState s : LifecycleState.values()) {
            states.put(s, new AtomicInteger());
        }
    }

    /** A device is about to boot. */
    void booting(NettyDevice device) {
        states.get(LifecycleState.OFF).incrementAndGet();
        bootedAt.put(device, System.nanoTime());
    }

    @Override
    public void stateChanged(NettyDevice device, LifecycleState from, LifecycleState to) {
        states.get(from).decrementAndGet();
        states.get(to).incrementAndGet();
        if (to == LifecycleState.ONLINE) {
            Long boot = bootedAt.remove(device);
            if (boot != null) {
                provisioning.recordValue(Math.min(MAX_NANOS, System.nanoTime() - boot));
                everOnline.incrementAndGet();
            }
        }
    }

    @Override
    public void connected(Link link, long nanos) {
        if (link == Link.HUB) {
            connects.increment();
            connect.recordValue(Math.min(MAX_NANOS, nanos));
        }
    }

    @Override
    public void connectFailed(Link link, String reason) {
        failures.computeIfAbsent(link + " " + reason, k -> new LongAdder()).increment();
    }

    @Override
    public void published() {
        sent.increment();
    }

    @Override
    public void acknowledged(long nanos) {
        acked.increment();
        puback.recordValue(Math.min(MAX_NANOS, nanos));
    }

    @Override
    public void dpsAnswered(int status) {
        if (status == 429) {
            throttled.increment();
        } else if (status == 200) {
            registrations.increment();
        }
    }

    /**
     * A direct method call to one of the swarm's devices completed, as its caller saw it (the swarm
     * sees only its own side of a call, so whoever calls reports the round trip here).
     */
    public void methodRoundTrip(long nanos, int status) {
        method.recordValue(Math.min(MAX_NANOS, Math.max(0, nanos)));
        methodStatuses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    /** Method answers by status. */
    public Map<Integer, Long> methodStatuses() {
        Map<Integer, Long> out = new TreeMap<>();
        methodStatuses.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public int count(LifecycleState s) {
        return states.get(s).get();
    }

    public Map<LifecycleState, Integer> states() {
        Map<LifecycleState, Integer> out = new EnumMap<>(LifecycleState.class);
        states.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long registrations() {
        return registrations.sum();
    }

    public long connects() {
        return connects.sum();
    }

    public long messagesSent() {
        return sent.sum();
    }

    public long messagesAcknowledged() {
        return acked.sum();
    }

    public long throttled() {
        return throttled.sum();
    }

    public long everOnline() {
        return everOnline.get();
    }

    /** Folds what was recorded since the last call into the run's totals and returns a copy of them. */
    public synchronized Latencies latencies() {
        provisioningTotal.add(provisioning.getIntervalHistogram());
        connectTotal.add(connect.getIntervalHistogram());
        pubackTotal.add(puback.getIntervalHistogram());
        methodTotal.add(method.getIntervalHistogram());
        return new Latencies(provisioningTotal.copy(), connectTotal.copy(), pubackTotal.copy(), methodTotal.copy());
    }

    /**
     * Folds what was recorded since the last fold into the run's totals, like {@link #latencies()},
     * and returns only that: the latencies of the last interval (a dashboard's chart over time).
     */
    public synchronized Latencies sinceLastFold() {
        Latencies interval = new Latencies(provisioning.getIntervalHistogram(), connect.getIntervalHistogram(),
                puback.getIntervalHistogram(), method.getIntervalHistogram());
        provisioningTotal.add(interval.provisioning());
        connectTotal.add(interval.connect());
        pubackTotal.add(interval.puback());
        methodTotal.add(interval.methodRoundTrip());
        return interval;
    }

    /** The run's latency histograms, in nanoseconds. */
    public record Latencies(Histogram provisioning, Histogram connect, Histogram puback, Histogram methodRoundTrip) {
    }
}

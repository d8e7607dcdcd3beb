package io.fleetkit.firmware.swarm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.pki.DeviceIdentity;

import java.lang.management.ManagementFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A swarm run for a duration: starts the swarm, tells a {@link Listener} when it runs, when every device is online and
 * what it did every few seconds, stops it at the end (or at {@link #stop()}, as Ctrl-C or a test does) and returns the
 * summary ({@link SwarmReport#summary}) with the heap each device took. What {@code fleetkit sim}, {@code fleetkit demo} and
 * the load runs have in common; they add only their own wiring (a hub in the process, method calls, a dashboard).
 *
 * <p>{@link #run} blocks its caller; {@link #stop()} may be called from any thread, once or more.
 */
public final class SwarmRun {
    /** What a run tells while it goes. Every method is called on the running thread; the defaults do nothing. */
    public interface Listener {
        /** The swarm runs (its devices are starting at the configured ramp). */
        default void started(Swarm swarm) {
        }

        /** Every active device is online, {@code after} the start (told once). */
        default void allOnline(int devices, Duration after) {
        }

        /** A progress line: devices by state, the rates since the last line. */
        default void progress(String line) {
        }

        /** The run is over and the swarm about to stop: its devices are still connected. */
        default void stopping(Swarm swarm) {
        }
    }

    /** What a run leaves: its summary, and the devices as they ended (their flash is final). */
    public record Result(ObjectNode summary, List<NettyDevice> devices) {
    }

    private final SwarmConfig config;
    private final List<DeviceIdentity> identities;
    private final Function<DeviceId, Optional<NonVolatileState>> flash;
    private final Collection<X509Certificate> trust;
    private final Clock clock;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Duration progressEvery = Duration.ofSeconds(5);
    private String heapKey = "swarmHeapBytesPerDevice";

    /**
     * @param flash what each device's flash holds at the start ({@link Swarm#NO_FLASH}: from the factory)
     * @param trust the trust anchors for the server certificates the devices meet
     */
    public SwarmRun(SwarmConfig config, List<DeviceIdentity> identities, Function<DeviceId, Optional<NonVolatileState>> flash,
                    Collection<X509Certificate> trust, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.identities = List.copyOf(identities);
        this.flash = Objects.requireNonNull(flash, "flash");
        this.trust = List.copyOf(trust);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** How often {@link Listener#progress} is told (default 5 s). */
    public SwarmRun progressEvery(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: must be positive, was " + interval);
        }
        this.progressEvery = interval;
        return this;
    }

    /**
     * Says the hub runs in the same process, so the heap measured per device is the swarm's and the hub's together (the
     * summary's key becomes {@code swarmAndHubHeapBytesPerDevice}).
     */
    public SwarmRun hubInProcess() {
        this.heapKey = "swarmAndHubHeapBytesPerDevice";
        return this;
    }

    /** Ends the run early; {@link #run} returns its summary soon after. Any thread. */
    public void stop() {
        stop.countDown();
    }

    /**
     * Runs the swarm for {@code duration} or until {@link #stop()}.
     *
     * @throws InterruptedException when the calling thread is interrupted; the swarm is stopped
     */
    public Result run(Duration duration, Listener listener) throws InterruptedException {
        long start = System.nanoTime();
        try (Swarm swarm = Swarm.start(config, identities, flash, trust, clock)) {
            SwarmMetrics m = swarm.metrics();
            listener.started(swarm);
            Duration allOnline = null;
            long[] last = new long[4]; // registrations, connects, sent, acknowledged at the last progress line
            long lastTick = start;
            while (true) {
                long left = duration.toNanos() - (System.nanoTime() - start);
                if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int active = swarm.active(); // the demo's dashboard can resize the swarm
                if (allOnline == null && active > 0 && m.count(LifecycleState.ONLINE) == active) {
                    allOnline = Duration.ofNanos(System.nanoTime() - start);
                    listener.allOnline(active, allOnline);
                }
                long now = System.nanoTime();
                if (now - lastTick >= progressEvery.toNanos()) {
                    long[] current = {m.registrations(), m.connects(), m.messagesSent(), m.messagesAcknowledged()};
                    double seconds = (now - lastTick) / 1e9;
                    var rates = new SwarmReport.Rates((current[0] - last[0]) / seconds, (current[1] - last[1]) / seconds,
                            (current[2] - last[2]) / seconds, (current[3] - last[3]) / seconds);
                    listener.progress(SwarmReport.progress(m, active, Duration.ofNanos(now - start), rates));
                    last = current;
                    lastTick = now;
                }
            }
            listener.stopping(swarm);
            ObjectNode summary = SwarmReport.summary(m, swarm.active(), Duration.ofNanos(System.nanoTime() - start), allOnline);
            summary.put(heapKey, heapPerDevice(swarm.size()));
            return new Result(summary, swarm.devices());
        }
    }

    /** Measured while every device is still connected: its firmware, connections, TLS state and identity. */
    private static long heapPerDevice(int devices) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return heap / Math.max(1, devices);
    }
}

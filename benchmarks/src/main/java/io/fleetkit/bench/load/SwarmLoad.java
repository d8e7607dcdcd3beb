package io.fleetkit.bench.load;

import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.DeviceIdentity;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The firmware swarm as load for the scenarios that need whole devices (DPS registration, direct
 * methods answered by the firmware): thermostats through DPS to the hub at 127.0.0.1:{@code port},
 * at most {@code maxStarting} provisioning or connecting at once, never giving up.
 */
final class SwarmLoad {
    private static final double RAMP_PER_SECOND = 2_000;

    private SwarmLoad() {
    }

    /** As many at once as {@code fleetkit sim} starts by default. */
    static final int MAX_STARTING = 500;

    static Swarm start(List<DeviceIdentity> identities, Collection<X509Certificate> trust, int port, int threads, int maxStarting) {
        return start(identities, trust, port, threads, maxStarting, 1, 0);
    }

    /**
     * @param rateMultiplier telemetry this many times as often as the model says
     * @param maxFailures    consecutive failures before a device gives up (0: never)
     */
    static Swarm start(List<DeviceIdentity> identities, Collection<X509Certificate> trust, int port, int threads, int maxStarting,
                       double rateMultiplier, int maxFailures) {
        SwarmConfig config = new SwarmConfig(DeviceModels.resolve("thermostat"), "127.0.0.1", port, IdScope.DEFAULT, RAMP_PER_SECOND,
                rateMultiplier, threads, List.of(), new MethodOverrides(), maxFailures, 1, maxStarting);
        return Swarm.start(config, identities, trust, Clock.systemUTC());
    }

    /** Waits until {@code value} reaches {@code target}; returns the seconds since {@code startNanos}, or NaN after {@code timeout}. */
    static double awaitCount(LongSupplier value, long target, long startNanos, Duration timeout) throws InterruptedException {
        long deadline = startNanos + timeout.toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                return Double.NaN;
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double awaitOnline(Swarm swarm, int n, long startNanos, Duration timeout) throws InterruptedException {
        return awaitCount(() -> swarm.metrics().count(LifecycleState.ONLINE), n, startNanos, timeout);
    }
}

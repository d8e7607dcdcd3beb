package io.fleetkit.bench.load;

import io.fleetkit.firmware.DeviceRunner;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One slice of a cluster bench's devices in a swarm process of its own, so that no process holds more than its 20,000
 * descriptors and each dials from its own source address (one address reaches one server port ~28,000 times). Its thermostats'
 * flash already holds the hub, so they connect straight to it (the registry has them); telemetry at the model's interval times
 * the rate multiplier; a device gives up after 20 failures in a row. Arguments: {@code PKI-DIR ID-PREFIX FIRST COUNT PORT THREADS
 * SOURCE-ADDRESS RATE-MULTIPLIER}. Line protocol: {@code READY <count>} once the identities are issued; {@code start} (answered
 * {@code STARTED}); {@code online} ({@code ONLINE <online> <gave up> <provisioning> <connecting> <backoff>}); {@code drain} stops new telemetry and waits until
 * every message is acknowledged ({@code DRAINED <telemetry acknowledged> <unacknowledged>}); {@code heap}, {@code quit}.
 */
public final class ClusterSwarmPeer {
    private static final int MAX_FAILURES = 20;

    private ClusterSwarmPeer() {
    }

    public static void main(String[] args) throws Exception {
        ControlChannel control = new ControlChannel();
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        int first = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        int port = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        InetAddress source = InetAddress.getByName(args[6]);
        double rateMultiplier = Double.parseDouble(args[7]);
        List<DeviceIdentity> identities = FactoryBatch.issueAll(pki.intermediate(), FactoryBatch.ids(args[1], first, count));
        NonVolatileState flash = new NonVolatileState(Optional.of("127.0.0.1"), 60, 0);
        SwarmConfig config = new SwarmConfig(DeviceModels.resolve("thermostat"), "127.0.0.1", port, IdScope.DEFAULT, 1_000, rateMultiplier,
                threads, List.of(source), new MethodOverrides(), MAX_FAILURES, first, SwarmLoad.MAX_STARTING);
        AtomicReference<Swarm> swarm = new AtomicReference<>();
        try {
            control.on("start", "STARTED", a -> {
                        swarm.set(Swarm.start(config, identities, id -> Optional.of(flash), pki.trustAnchors(), Clock.systemUTC()));
                        return Integer.toString(count);
                    })
                    .on("online", "ONLINE", a -> states(swarm.get(), LifecycleState.ONLINE, LifecycleState.GAVE_UP, LifecycleState.PROVISIONING,
                            LifecycleState.CONNECTING, LifecycleState.BACKOFF))
                    .on("drain", "DRAINED", a -> drain(swarm.get()))
                    .serve(Integer.toString(count));
        } finally {
            if (swarm.get() != null) {
                swarm.get().close();
            }
        }
    }

    private static String states(Swarm swarm, LifecycleState... states) {
        StringBuilder out = new StringBuilder();
        for (LifecycleState s : states) {
            out.append(out.isEmpty() ? "" : " ").append(swarm.metrics().count(s));
        }
        return out.toString();
    }

    /** Stops new telemetry (one message in ~700 days), waits up to 3 minutes until every message is acknowledged. */
    private static String drain(Swarm swarm) throws InterruptedException {
        swarm.changeRate(0.0001);
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(3).toNanos();
        long unacknowledged;
        do {
            Thread.sleep(200);
            unacknowledged = swarm.devices().stream().map(DeviceRunner::firmware).mapToLong(f -> f.messagesSent() - f.messagesAcknowledged()).sum();
        } while (unacknowledged > 0 && System.nanoTime() < deadline);
        long acknowledged = swarm.devices().stream().map(DeviceRunner::firmware).mapToLong(f -> f.telemetryAcknowledged()).sum();
        return acknowledged + " " + unacknowledged;
    }
}

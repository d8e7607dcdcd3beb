package io.fleetkit.bench.load;

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

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fleetkit swarm as a device simulator in its own JVM, for comparison with one Azure SDK
 * {@code DeviceClient} per device ({@code benchmarks/peers/azure-sdk}): N thermostats whose flash already holds
 * their hub (so, like the SDK clients given a connection string, they connect straight to it) and a
 * telemetry interval of a day (idle). Arguments: {@code PKI-DIR ID-PREFIX DEVICES PORT THREADS}.
 * Line protocol: {@code READY 0} once the identities are issued; {@code start} connects every device
 * and answers {@code ONLINE <seconds> <failed>}; {@code heap}, {@code threads}, {@code quit}.
 */
public final class SwarmPeer {
    private SwarmPeer() {
    }

    public static void main(String[] args) throws Exception {
        ControlChannel control = new ControlChannel();
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        int devices = Integer.parseInt(args[2]);
        int port = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        List<DeviceIdentity> identities = FactoryBatch.issueAll(pki.intermediate(), FactoryBatch.ids(args[1], 1, devices));
        NonVolatileState flash = new NonVolatileState(Optional.of("127.0.0.1"), 86_400, 0);
        SwarmConfig config = new SwarmConfig(DeviceModels.resolve("thermostat"), "127.0.0.1", port, IdScope.DEFAULT, 2_000, 1,
                threads, List.of(), new MethodOverrides(), 0, 1, SwarmLoad.MAX_STARTING);
        AtomicReference<Swarm> swarm = new AtomicReference<>();
        try {
            control.on("start", "ONLINE", a -> {
                long start = System.nanoTime();
                Swarm s = Swarm.start(config, identities, id -> Optional.of(flash), pki.trustAnchors(), Clock.systemUTC());
                swarm.set(s);
                double seconds = SwarmLoad.awaitOnline(s, devices, start, Duration.ofMinutes(5));
                return seconds + " " + (devices - s.metrics().count(LifecycleState.ONLINE));
            }).serve("0");
        } finally {
            if (swarm.get() != null) {
                swarm.get().close();
            }
        }
    }
}

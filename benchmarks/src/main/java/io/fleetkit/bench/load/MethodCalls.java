package io.fleetkit.bench.load;

import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.id.MethodName;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls a direct method on random online devices of a swarm at a fixed rate through the hub's
 * API and records each round trip (call → device's answer, or the hub's 404/504) in the swarm's
 * metrics. An open loop: calls go out on schedule whether or not earlier ones have returned.
 */
public final class MethodCalls implements AutoCloseable {
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
    private final ScheduledExecutorService timer;

    private MethodCalls(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    public static MethodCalls start(DeviceCommands commands, Swarm swarm, MethodName method, double perSecond, long seed) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "method-load");
            t.setDaemon(true);
            return t;
        });
        SplittableRandom random = new SplittableRandom(seed);
        List<NettyDevice> devices = swarm.devices();
        long periodNanos = Math.max(100_000, (long) (1e9 / perSecond));
        timer.scheduleAtFixedRate(() -> {
            NettyDevice d = devices.get(random.nextInt(devices.size()));
            if (d.state() != LifecycleState.ONLINE) {
                return;
            }
            long sent = System.nanoTime();
            commands.invokeMethod(d.firmware().deviceId(), method, EMPTY, Duration.ofSeconds(30))
                    .thenAccept(r -> swarm.metrics().methodRoundTrip(System.nanoTime() - sent, r.status()));
        }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        return new MethodCalls(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package io.fleetkit.firmware.swarm;

import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.firmware.netty.SwarmTls;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many simulated devices on the Netty transport: created from a device model and a factory
 * batch, booted at the configured ramp, measured by {@link SwarmMetrics}, stopped cleanly.
 * Each device gets its own seeded random source, so a swarm with the same seed behaves the same.
 */
public final class Swarm implements AutoCloseable {
    private static final long RAMP_TICK_MILLIS = 10;

    private final EventLoopGroup loops;
    private final List<NettyDevice> devices;
    private final SwarmMetrics metrics;
    private final ScheduledFuture<?> ramp;

    private Swarm(EventLoopGroup loops, List<NettyDevice> devices, SwarmMetrics metrics, ScheduledFuture<?> ramp) {
        this.loops = loops;
        this.devices = devices;
        this.metrics = metrics;
        this.ramp = ramp;
    }

    /** Creates the devices and starts booting them at the ramp rate; returns at once. */
    public static Swarm start(SwarmConfig config, List<DeviceIdentity> identities, Collection<X509Certificate> trust, Clock clock) {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(config.eventLoops(), new DefaultThreadFactory("swarm", true),
                NioIoHandler.newFactory());
        SwarmTls tls = new SwarmTls(trust);
        SwarmMetrics metrics = new SwarmMetrics();
        List<NettyDevice> devices = new ArrayList<>(identities.size());
        SplittableRandom seeds = new SplittableRandom(config.seed());
        int interval = (int) config.model().telemetryInterval().toSeconds();
        for (int i = 0; i < identities.size(); i++) {
            DeviceIdentity d = identities.get(i);
            tls.register(d);
            FirmwareConfig fc = FirmwareConfig.of(d.registrationId(), config.dpsHost(), config.idScope(), config.model())
                    .withRateMultiplier(config.rateMultiplier()).withMaxFailures(config.maxFailures());
            SplittableRandom random = seeds.split();
            Firmware fw = new Firmware(fc, new SimulatedHardware(config.model(), d.credential().key(), random.split()),
                    NonVolatileState.factory(interval), config.overrides(), random);
            InetSocketAddress source = config.sourceAddresses().isEmpty() ? null
                    : new InetSocketAddress(config.sourceAddresses().get(i % config.sourceAddresses().size()), 0);
            devices.add(new NettyDevice(fw, loops.next(), tls, clock, config.port(), source, metrics));
        }
        AtomicInteger next = new AtomicInteger();
        long startNanos = System.nanoTime();
        ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
        holder[0] = loops.next().scheduleAtFixedRate(() -> {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            int due = (int) Math.min(devices.size(), Math.ceil(elapsed * config.rampPerSecond()));
            if (config.maxStarting() > 0) {
                int starting = metrics.count(LifecycleState.OFF) + metrics.count(LifecycleState.PROVISIONING)
                        + metrics.count(LifecycleState.CONNECTING);
                due = Math.min(due, next.get() + Math.max(0, config.maxStarting() - starting));
            }
            for (int i = next.get(); i < due; i = next.incrementAndGet()) {
                NettyDevice d = devices.get(i);
                metrics.booting(d);
                d.boot();
            }
            if (next.get() >= devices.size() && holder[0] != null) {
                holder[0].cancel(false);
            }
        }, 0, RAMP_TICK_MILLIS, TimeUnit.MILLISECONDS);
        return new Swarm(loops, devices, metrics, holder[0]);
    }

    public SwarmMetrics metrics() {
        return metrics;
    }

    public List<NettyDevice> devices() {
        return devices;
    }

    /** Powers every device off and stops the event loops. */
    @Override
    public void close() {
        ramp.cancel(false);
        devices.forEach(NettyDevice::stop);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

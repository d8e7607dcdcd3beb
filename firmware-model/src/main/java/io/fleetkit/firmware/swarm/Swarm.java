package io.fleetkit.firmware.swarm;

import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.firmware.netty.SwarmTls;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Many simulated devices on the Netty transport: created from a device model and a factory
 * batch, booted at the configured ramp, measured by {@link SwarmMetrics}, stopped cleanly.
 * Each device gets its own seeded random source, so a swarm with the same seed behaves the same.
 */
public final class Swarm implements AutoCloseable {
    private static final long RAMP_TICK_MILLIS = 10;

    private final SwarmConfig config;
    private final Clock clock;
    private final EventLoopGroup loops;
    private final SwarmTls tls;
    private final SwarmMetrics metrics = new SwarmMetrics();
    private final SplittableRandom seeds;
    private final List<NettyDevice> devices = new CopyOnWriteArrayList<>();
    private final Map<DeviceId, Member> members = new ConcurrentHashMap<>();
    private final Queue<NettyDevice> toBoot = new ConcurrentLinkedQueue<>();
    private final Set<NettyDevice> everBooted = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> ramp;
    private int active; // devices [0, active) are powered on or queued to be; guarded by this
    private volatile double rateMultiplier;
    private double rampCredit; // ramp thread only

    private record Member(NettyDevice device, MethodOverrides overrides) {
    }

    private Swarm(SwarmConfig config, Collection<X509Certificate> trust, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.rateMultiplier = config.rateMultiplier();
        this.loops = new MultiThreadIoEventLoopGroup(config.eventLoops(), new DefaultThreadFactory("swarm", true), NioIoHandler.newFactory());
        this.tls = new SwarmTls(trust);
        this.seeds = new SplittableRandom(config.seed());
        this.ramp = loops.next().scheduleAtFixedRate(this::rampTick, 0, RAMP_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Creates the devices, fresh from the factory, and starts booting them at the ramp rate; returns at once. */
    public static Swarm start(SwarmConfig config, List<DeviceIdentity> identities, Collection<X509Certificate> trust, Clock clock) {
        return start(config, identities, NO_FLASH, trust, clock);
    }

    /** Like {@link #start(SwarmConfig, List, Collection, Clock)}, each device with the flash {@code flash} gives it, if any. */
    public static Swarm start(SwarmConfig config, List<DeviceIdentity> identities, Function<DeviceId, Optional<NonVolatileState>> flash,
                              Collection<X509Certificate> trust, Clock clock) {
        Swarm swarm = new Swarm(config, trust, clock);
        swarm.add(identities, flash);
        swarm.resize(identities.size());
        return swarm;
    }

    /** Devices fresh from the factory: nothing in flash. */
    public static final Function<DeviceId, Optional<NonVolatileState>> NO_FLASH = id -> Optional.empty();

    /** Adds devices fresh from the factory, powered off; {@link #resize} powers them on. Ids must be new to this swarm. */
    public void add(List<DeviceIdentity> identities) {
        add(identities, NO_FLASH);
    }

    /**
     * Adds devices, powered off, each with what {@code flash} gives it (a previous run's assigned hub,
     * telemetry interval and next sequence number) or factory flash. Ids must be new to this swarm.
     */
    public synchronized void add(List<DeviceIdentity> identities, Function<DeviceId, Optional<NonVolatileState>> flash) {
        int interval = (int) config.model().telemetryInterval().toSeconds();
        for (DeviceIdentity d : identities) {
            DeviceId id = d.registrationId().toDeviceId();
            if (members.containsKey(id)) {
                throw new IllegalArgumentException("device '" + id + "' is already in the swarm");
            }
            tls.register(d);
            FirmwareConfig fc = FirmwareConfig.of(d.registrationId(), config.dpsHost(), config.idScope(), config.model())
                    .withRateMultiplier(rateMultiplier).withMaxFailures(config.maxFailures());
            SplittableRandom random = seeds.split();
            MethodOverrides own = new MethodOverrides(config.overrides());
            Firmware fw = new Firmware(fc, new SimulatedHardware(config.model(), d.credential().key(), random.split()),
                    flash.apply(id).orElseGet(() -> NonVolatileState.factory(interval)), own, random);
            List<InetAddress> sources = config.sourceAddresses();
            InetSocketAddress source = sources.isEmpty() ? null : new InetSocketAddress(sources.get(devices.size() % sources.size()), 0);
            NettyDevice device = new NettyDevice(fw, loops.next(), tls, clock, config.port(), source, metrics);
            devices.add(device);
            members.put(id, new Member(device, own));
        }
    }

    /**
     * Powers on the first {@code n} devices (at the ramp rate) and powers off the rest: start, stop
     * ({@code 0}) and resize in one. A device powered on again boots from its flash.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the devices added
     */
    public synchronized void resize(int n) {
        if (n < 0 || n > devices.size()) {
            throw new IllegalArgumentException("swarm size must be 0–" + devices.size() + " (the devices added), was " + n);
        }
        for (int i = active; i < n; i++) {
            toBoot.add(devices.get(i));
        }
        for (int i = n; i < active; i++) {
            NettyDevice d = devices.get(i);
            toBoot.remove(d);
            d.stop();
        }
        active = n;
    }

    /** The devices powered on (or queued to be). */
    public synchronized int active() {
        return active;
    }

    /** Every device added, powered on or not. */
    public int size() {
        return devices.size();
    }

    /** Telemetry this many times as often as the model says, for every device from now on. */
    public void changeRate(double multiplier) {
        if (!(multiplier > 0 && multiplier <= 1000)) {
            throw new IllegalArgumentException("rate multiplier must be above 0 and at most 1000, was " + multiplier);
        }
        rateMultiplier = multiplier;
        devices.forEach(d -> d.changeRate(multiplier));
    }

    public double rateMultiplier() {
        return rateMultiplier;
    }

    /** Overrides for the whole swarm; a device's own ({@link #overridesOf}) come first. */
    public MethodOverrides overrides() {
        return config.overrides();
    }

    /** One device's own overrides, if it is in the swarm. */
    public Optional<MethodOverrides> overridesOf(DeviceId id) {
        return Optional.ofNullable(members.get(id)).map(Member::overrides);
    }

    public Optional<NettyDevice> device(DeviceId id) {
        return Optional.ofNullable(members.get(id)).map(Member::device);
    }

    public SwarmMetrics metrics() {
        return metrics;
    }

    public List<NettyDevice> devices() {
        return devices;
    }

    /** Boots queued devices at the ramp rate, and no more than {@code maxStarting} in flight. */
    private void rampTick() {
        if (toBoot.isEmpty()) {
            rampCredit = 0;
            return;
        }
        rampCredit = Math.min(rampCredit + config.rampPerSecond() * RAMP_TICK_MILLIS / 1000.0, Math.max(1, config.rampPerSecond()));
        int due = (int) rampCredit;
        if (config.maxStarting() > 0) {
            int starting = metrics.count(LifecycleState.PROVISIONING) + metrics.count(LifecycleState.CONNECTING);
            due = Math.min(due, Math.max(0, config.maxStarting() - starting));
        }
        for (int i = 0; i < due; i++) {
            NettyDevice d = toBoot.poll();
            if (d == null) {
                break;
            }
            rampCredit--;
            if (everBooted.add(d)) {
                metrics.booting(d); // a device powered on again is already counted (as off)
            }
            d.boot();
        }
    }

    /** Powers every device off and stops the event loops. */
    @Override
    public void close() {
        ramp.cancel(false);
        toBoot.clear();
        devices.forEach(NettyDevice::stop);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

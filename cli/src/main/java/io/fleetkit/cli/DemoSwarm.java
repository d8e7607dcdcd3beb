package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.backend.api.SwarmControl;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The demo's swarm as the dashboard drives it ({@link SwarmControl}): the backend sees plain values,
 * this turns them into the firmware model's overrides, sizes and button presses. Growing past the
 * identities loaded issues new ones into the demo's PKI (dev-NNNNN, as {@code sim} names them).
 */
final class DemoSwarm implements SwarmControl {
    private static final long FOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Swarm swarm;
    private final PkiDirectory pki;
    private final int maxDevices;
    private final String model;
    private long lastFold = System.nanoTime() - FOLD_NANOS;
    private Map<String, Double> puback = Map.of(); // guarded by this
    private final Map<DeviceId, NonVolatileState> flash;

    /** @param flash what the devices had in flash at the end of the last run (those added when the swarm grows) */
    DemoSwarm(Swarm swarm, PkiDirectory pki, int maxDevices, String model, Map<DeviceId, NonVolatileState> flash) {
        this.swarm = swarm;
        this.flash = flash;
        this.pki = pki;
        this.maxDevices = maxDevices;
        this.model = model;
    }

    @Override
    public Status status() {
        Map<String, Integer> states = new LinkedHashMap<>();
        swarm.metrics().states().forEach((s, n) -> states.put(s.name(), n));
        // devices never booted are off too
        int booted = states.values().stream().mapToInt(Integer::intValue).sum();
        states.merge(LifecycleState.OFF.name(), Math.max(0, swarm.size() - booted), Integer::sum);
        Map<String, Map<String, MethodAnswer>> overrides = new TreeMap<>();
        put(overrides, "*", swarm.overrides());
        for (var d : swarm.devices()) {
            DeviceId id = d.firmware().deviceId();
            swarm.overridesOf(id).ifPresent(o -> put(overrides, id.value(), o));
        }
        return new Status(swarm.active(), swarm.size(), maxDevices, swarm.rateMultiplier(), model, states, overrides,
                pubackPercentiles(), swarm.metrics().failures());
    }

    /** PUBACK percentiles of the last second or so: folded at most once a second, however many ask. */
    private synchronized Map<String, Double> pubackPercentiles() {
        long now = System.nanoTime();
        if (now - lastFold >= FOLD_NANOS) {
            lastFold = now;
            Histogram h = swarm.metrics().sinceLastFold().puback();
            puback = h.getTotalCount() == 0 ? Map.of()
                    : Map.of("p50", h.getValueAtPercentile(50) / 1e6, "p99", h.getValueAtPercentile(99) / 1e6);
        }
        return puback;
    }

    private static void put(Map<String, Map<String, MethodAnswer>> into, String scope, MethodOverrides overrides) {
        Map<MethodName, MethodOverride> own = overrides.own();
        if (own.isEmpty()) {
            return;
        }
        Map<String, MethodAnswer> byMethod = new TreeMap<>();
        own.forEach((m, o) -> byMethod.put(m.value(), new MethodAnswer(o.status(), o.payload(), o.delay().toMillis(), o.noAnswer())));
        into.put(scope, byMethod);
    }

    @Override
    public synchronized void resize(int devices) {
        if (devices < 0 || devices > maxDevices) {
            throw new IllegalArgumentException("devices must be 0–" + maxDevices + " (one process holds at most 20,000 connections: "
                    + "each demo device needs two), was " + devices);
        }
        if (devices > swarm.size()) {
            // quietly: the dashboard asked, the terminal shows the run's progress
            List<DeviceIdentity> identities = SwarmIdentities.load(pki, swarm.size() + 1, devices - swarm.size(),
                    new java.io.PrintWriter(java.io.Writer.nullWriter()));
            swarm.add(identities, id -> Optional.ofNullable(flash.get(id)));
        }
        swarm.resize(devices);
    }

    @Override
    public void changeRate(double multiplier) {
        swarm.changeRate(multiplier);
    }

    @Override
    public boolean override(String method, Optional<String> deviceId, Optional<MethodAnswer> override) {
        MethodName name = MethodName.of(method);
        MethodOverrides target;
        if (deviceId.isPresent()) {
            DeviceId id;
            try {
                id = DeviceId.of(deviceId.get());
            } catch (ProtocolException e) {
                return false;
            }
            Optional<MethodOverrides> own = swarm.overridesOf(id);
            if (own.isEmpty()) {
                return false;
            }
            target = own.get();
        } else {
            target = swarm.overrides();
        }
        if (override.isEmpty()) {
            target.clear(name);
        } else {
            MethodAnswer o = override.get();
            target.set(name, new MethodOverride(o.status(), o.payloadJson(), Duration.ofMillis(o.delayMillis()), o.noAnswer(), 0));
        }
        return true;
    }

    @Override
    public boolean pressButton(String deviceId) {
        try {
            return swarm.device(DeviceId.of(deviceId)).map(d -> {
                d.pressButton();
                return true;
            }).orElse(false);
        } catch (ProtocolException malformed) {
            return false;
        }
    }
}

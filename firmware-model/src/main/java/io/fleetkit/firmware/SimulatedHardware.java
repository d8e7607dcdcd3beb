package io.fleetkit.firmware;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.FieldType;
import io.fleetkit.protocol.model.Generator;
import io.fleetkit.protocol.model.TelemetryField;
import io.fleetkit.protocol.pki.PresenceSignatures;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Hardware simulated from a device model: each sensor follows its generator (random walk, sine,
 * counter, constant) with a seeded random source, and presence proofs are signed with the
 * device's private key. Deterministic for a given seed and sequence of reads. Not thread-safe.
 */
public final class SimulatedHardware implements Hardware {
    private final DeviceModel model;
    private final PrivateKey deviceKey;
    private final RandomGenerator random;
    private final Map<String, Double> walks = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private Instant firstRead;

    public SimulatedHardware(DeviceModel model, PrivateKey deviceKey, RandomGenerator random) {
        this.model = Objects.requireNonNull(model, "model");
        this.deviceKey = Objects.requireNonNull(deviceKey, "deviceKey");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public Map<String, Reading> readSensors(Instant now) {
        if (firstRead == null) {
            firstRead = now;
        }
        Map<String, Reading> out = new LinkedHashMap<>();
        for (TelemetryField f : model.telemetry()) {
            out.put(f.name(), read(f, now));
        }
        return out;
    }

    private Reading read(TelemetryField f, Instant now) {
        Generator g = f.generator();
        if (g instanceof Generator.Constant c) {
            return c.value();
        }
        double v;
        if (g instanceof Generator.RandomWalk w) {
            double current = walks.getOrDefault(f.name(), w.start());
            double next = Math.max(w.min(), Math.min(w.max(), current + (random.nextDouble() * 2 - 1) * w.step()));
            walks.put(f.name(), next);
            v = next;
        } else if (g instanceof Generator.Sine s) {
            double t = Duration.between(firstRead, now).toMillis() / 1000.0;
            v = s.mean() + s.amplitude() * Math.sin(2 * Math.PI * t / s.periodSeconds());
        } else {
            Generator.Counter c = (Generator.Counter) g;
            long n = counters.merge(f.name(), 1L, Long::sum) - 1;
            v = c.start() + n * c.step();
        }
        // two decimals, as a real sensor driver would report; integers whole
        return Reading.of(f.type() == FieldType.INTEGER ? Math.rint(v) : Math.rint(v * 100) / 100);
    }

    @Override
    public byte[] signPresence(DeviceId deviceId, String nonce) {
        return PresenceSignatures.sign(deviceKey, deviceId, nonce);
    }

    @Override
    public int rssiDbm() {
        return -55 - random.nextInt(20);
    }

    @Override
    public long freeHeapBytes() {
        return 96_000 + random.nextInt(32_000);
    }
}

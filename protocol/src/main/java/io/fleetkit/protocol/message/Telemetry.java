package io.fleetkit.protocol.message;

import io.fleetkit.protocol.codec.FrozenMap;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Periodic sensor readings: {@code {"v":1,"type":"telemetry","seq":42,"ts":"…","readings":{"temperature":21.5}}}.
 *
 * @param readings field name → value, in the device model's order; at least one
 */
public record Telemetry(long seq, Instant ts, Map<String, Reading> readings) implements DeviceMessage {
    public Telemetry {
        Messages.checkSeq(seq);
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(readings, "readings");
        if (readings.isEmpty() || readings.size() > Messages.READINGS_MAX) {
            throw new IllegalArgumentException("readings: telemetry carries 1–" + Messages.READINGS_MAX + " readings, was " + readings.size());
        }
        readings.keySet().forEach(name -> Messages.checkText("readings name", name, Messages.NAME_MAX, Messages.NAME));
        // the decoder's map is already one no one can change; any other is copied
        readings = readings instanceof FrozenMap<String, Reading> ? readings : Collections.unmodifiableMap(new LinkedHashMap<>(readings));
    }

    @Override
    public MessageType type() {
        return MessageType.TELEMETRY;
    }
}

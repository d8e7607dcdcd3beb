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
        if (readings instanceof FrozenMap<String, Reading> decoded && decoded.keysMatched(Messages.NAME)) {
            // the decoder matched the names against the pattern already, and its map is one no one can change
            decoded.keySet().forEach(name -> Messages.checkText("readings name", name, Messages.NAME_MAX));
        } else {
            readings.keySet().forEach(name -> Messages.checkText("readings name", name, Messages.NAME_MAX, Messages.NAME));
            readings = Collections.unmodifiableMap(new LinkedHashMap<>(readings));
        }
    }

    @Override
    public MessageType type() {
        return MessageType.TELEMETRY;
    }
}

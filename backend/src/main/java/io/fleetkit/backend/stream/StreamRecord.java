package io.fleetkit.backend.stream;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One message in a stream: who sent it, when the hub received it, its properties and body.
 * {@code offset} is its position in its partition, assigned on append (-1 before).
 */
public record StreamRecord(long offset, DeviceId deviceId, Instant enqueuedTime, Map<String, String> properties, byte[] body) {
    public StreamRecord {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(enqueuedTime, "enqueuedTime");
        properties = properties instanceof FrozenProperties frozen ? frozen : new FrozenProperties(properties);
        Objects.requireNonNull(body, "body");
    }

    public static StreamRecord of(DeviceId deviceId, Instant enqueuedTime, Map<String, String> properties, byte[] body) {
        return new StreamRecord(-1, deviceId, enqueuedTime, properties, body);
    }

    StreamRecord at(long newOffset) {
        return new StreamRecord(newOffset, deviceId, enqueuedTime, properties, body);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body itself, not a copy, for the stream's own encoding (which only reads it). */
    byte[] bodyNoCopy() {
        return body;
    }

    /** The properties, copied once when the record is made: {@link #at} and copies of a record share them. */
    private static final class FrozenProperties extends AbstractMap<String, String> {
        private final Map<String, String> map;

        FrozenProperties(Map<String, String> properties) {
            this.map = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return map.entrySet();
        }

        @Override
        public String get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamRecord r && offset == r.offset && deviceId.equals(r.deviceId) && enqueuedTime.equals(r.enqueuedTime)
                && properties.equals(r.properties) && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, deviceId, enqueuedTime, properties, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "StreamRecord[" + offset + ", " + deviceId + ", " + enqueuedTime + ", " + properties + ", " + body.length + " bytes]";
    }
}

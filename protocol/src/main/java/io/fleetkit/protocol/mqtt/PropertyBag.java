package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The property bag at the end of an IoT Hub message topic:
 * {@code $.mid=msg-0001&$.ct=application%2Fjson&type=telemetry}. System properties
 * ({@link SystemProperty}, keys starting {@code $.}) and application properties keep the order
 * in which they arrived or were added, so a parsed bag formats back to the same text.
 *
 * <p>Two spellings exist on the wire, and {@link Style} picks one: devices (and the Azure device
 * SDKs) write system keys as they are, {@code $.mid=…}; the hub, when it sends cloud-to-device
 * messages, URL-encodes every key, {@code %24.mid=…}. Values and application keys are always
 * URL-encoded ({@link PercentCodec}).
 *
 * <p>Immutable and thread-safe.
 */
public final class PropertyBag {
    public static final PropertyBag EMPTY = new PropertyBag(new LinkedHashMap<>());

    /** How keys are spelled when a bag is formatted. */
    public enum Style {
        /** Device to cloud: {@code $.mid=…}; application keys encoded. */
        DEVICE_TO_CLOUD,
        /** Cloud to device: every key encoded, {@code %24.mid=…}. */
        CLOUD_TO_DEVICE
    }

    private final Map<String, String> entries;

    private PropertyBag(LinkedHashMap<String, String> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts with this bag's entries. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.entries.putAll(entries);
        return b;
    }

    /** Every entry, system and application, in order, by wire key ({@code $.mid}, {@code type}). */
    public Map<String, String> entries() {
        return entries;
    }

    public Optional<String> get(SystemProperty property) {
        return Optional.ofNullable(entries.get(property.key()));
    }

    /** An application property. */
    public Optional<String> get(String key) {
        return key.startsWith(SystemProperty.PREFIX) ? Optional.empty() : Optional.ofNullable(entries.get(key));
    }

    /** The application properties alone, in order. */
    public Map<String, String> applicationProperties() {
        LinkedHashMap<String, String> app = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (!k.startsWith(SystemProperty.PREFIX)) {
                app.put(k, v);
            }
        });
        return Collections.unmodifiableMap(app);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public String format(Style style) {
        StringBuilder sb = new StringBuilder();
        entries.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            boolean rawKey = style == Style.DEVICE_TO_CLOUD && k.startsWith(SystemProperty.PREFIX);
            sb.append(rawKey ? k : PercentCodec.encode(k)).append('=').append(PercentCodec.encode(v));
        });
        return sb.toString();
    }

    /**
     * Parses {@code topic[start, end)} as a property bag; an empty range is the empty bag.
     * Errors point into {@code topic}.
     */
    static PropertyBag parse(String topic, int start, int end) {
        Builder b = new Builder();
        int i = start;
        while (i < end) {
            int amp = topic.indexOf('&', i);
            if (amp < 0 || amp > end) {
                amp = end;
            }
            int eq = topic.indexOf('=', i);
            if (eq < 0 || eq > amp) {
                throw new ProtocolException(Subject.TOPIC, topic, "index " + i,
                        "property '" + topic.substring(i, amp) + "' has no '=' and value");
            }
            if (eq == i) {
                throw new ProtocolException(Subject.TOPIC, topic, "index " + i, "property with an empty key");
            }
            String key = PercentCodec.decode(topic, i, eq, Subject.TOPIC, topic, 0);
            String value = PercentCodec.decode(topic, eq + 1, amp, Subject.TOPIC, topic, 0);
            if (key.startsWith(SystemProperty.PREFIX) && SystemProperty.ofKey(key).isEmpty()) {
                throw new ProtocolException(Subject.TOPIC, topic, "index " + i,
                        "unknown system property '" + key + "'; known are " + SystemProperty.allKeys());
            }
            if (b.entries.containsKey(key)) {
                throw new ProtocolException(Subject.TOPIC, topic, "index " + i, "duplicate property '" + key + "'");
            }
            b.entries.put(key, value);
            if (amp == end - 1) {
                throw new ProtocolException(Subject.TOPIC, topic, "index " + amp, "trailing '&'");
            }
            i = amp + 1;
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropertyBag other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return format(Style.DEVICE_TO_CLOUD);
    }

    /** Collects entries in order. Not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<String, String> entries = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder put(SystemProperty property, String value) {
            entries.put(property.key(), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds an application property; its key must be non-empty and not start with {@code $.}. */
        public Builder put(String key, String value) {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key: an application property key must not be empty");
            }
            if (key.startsWith(SystemProperty.PREFIX)) {
                throw new IllegalArgumentException("key: '" + key
                        + "' starts with '$.', which is reserved for system properties; use put(SystemProperty, value)");
            }
            entries.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        public PropertyBag build() {
            return entries.isEmpty() ? EMPTY : new PropertyBag(new LinkedHashMap<>(entries));
        }
    }
}

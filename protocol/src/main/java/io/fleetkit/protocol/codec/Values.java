package io.fleetkit.protocol.codec;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The field values of one object, read by or written through an {@link ObjectKind}. Typed by
 * the {@link Field}s, so a record's codec reads {@code values.get(SEQ)} as a {@code Long}.
 */
public final class Values {
    private final Map<Field<?>, Object> values = new HashMap<>();

    public static Values of() {
        return new Values();
    }

    public <T> Values put(Field<T> field, T value) {
        if (value != null) {
            values.put(field, value);
        }
        return this;
    }

    public <T> Values put(Field<T> field, Optional<T> value) {
        value.ifPresent(v -> values.put(field, v));
        return this;
    }

    /** The value of a field the decoder has checked to be present (a required field). */
    @SuppressWarnings("unchecked")
    public <T> T get(Field<T> field) {
        Object v = values.get(field);
        if (v == null) {
            throw new IllegalStateException("field '" + field.name() + "' has no value");
        }
        return (T) v;
    }

    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Field<T> field) {
        return Optional.ofNullable((T) values.get(field));
    }

    @SuppressWarnings("unchecked")
    public <T> T getOrDefault(Field<T> field, T fallback) {
        Object v = values.get(field);
        return v == null ? fallback : (T) v;
    }

    boolean has(Field<?> field) {
        return values.containsKey(field);
    }

    @SuppressWarnings("unchecked")
    <T> T raw(Field<T> field) {
        return (T) values.get(field);
    }
}

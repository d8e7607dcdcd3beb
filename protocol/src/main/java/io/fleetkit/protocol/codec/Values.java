package io.fleetkit.protocol.codec;

import java.util.Arrays;
import java.util.Optional;

/**
 * The field values of one object, read by or written through an {@link ObjectKind}. Typed by
 * the {@link Field}s, so a record's codec reads {@code values.get(SEQ)} as a {@code Long}. A few
 * fields at most: kept in two arrays and found by identity, which costs a decode less than a map.
 */
public final class Values {
    private Field<?>[] fields;
    private Object[] values;
    private int size;

    private Values(Field<?>[] fields, Object[] values, int size) {
        this.fields = fields;
        this.values = values;
        this.size = size;
    }

    public static Values of() {
        return new Values(new Field<?>[8], new Object[8], 0);
    }

    /** The values an object's read found, by its fields' positions (null: absent). */
    static Values of(Field<?>[] declared, Object[] read) {
        return new Values(declared, read, declared.length);
    }

    public <T> Values put(Field<T> field, T value) {
        if (value != null) {
            set(field, value);
        }
        return this;
    }

    public <T> Values put(Field<T> field, Optional<T> value) {
        value.ifPresent(v -> set(field, v));
        return this;
    }

    /** The value of a field the decoder has checked to be present (a required field). */
    @SuppressWarnings("unchecked")
    public <T> T get(Field<T> field) {
        Object v = raw(field);
        if (v == null) {
            throw new IllegalStateException("field '" + field.name() + "' has no value");
        }
        return (T) v;
    }

    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Field<T> field) {
        return Optional.ofNullable((T) raw(field));
    }

    @SuppressWarnings("unchecked")
    public <T> T getOrDefault(Field<T> field, T fallback) {
        Object v = raw(field);
        return v == null ? fallback : (T) v;
    }

    boolean has(Field<?> field) {
        return raw(field) != null;
    }

    @SuppressWarnings("unchecked")
    <T> T raw(Field<T> field) {
        for (int i = 0; i < size; i++) {
            if (fields[i] == field) {
                return (T) values[i];
            }
        }
        return null;
    }

    private void set(Field<?> field, Object value) {
        for (int i = 0; i < size; i++) {
            if (fields[i] == field) {
                values[i] = value;
                return;
            }
        }
        if (size == fields.length) {
            fields = Arrays.copyOf(fields, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        fields[size] = field;
        values[size++] = value;
    }
}

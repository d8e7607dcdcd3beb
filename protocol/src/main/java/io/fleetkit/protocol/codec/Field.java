package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Objects;

/**
 * A named member of an {@link ObjectKind}: its {@link Kind}, whether it is required, a
 * description for the schema, and for discriminators such as {@code "type": "telemetry"} or
 * {@code "v": 1} the constant it must have.
 *
 * @param <T> the Java type of its value
 */
public final class Field<T> {
    private final String name;
    private final Kind<T> kind;
    private final boolean required;
    private final String description;
    private final JsonNode constant;

    private Field(String name, Kind<T> kind, boolean required, String description, JsonNode constant) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = kind;
        this.required = required;
        this.description = Objects.requireNonNull(description, "description");
        this.constant = constant;
    }

    public static <T> Field<T> required(String name, Kind<T> kind, String description) {
        return new Field<>(name, Objects.requireNonNull(kind, "kind"), true, description, null);
    }

    public static <T> Field<T> optional(String name, Kind<T> kind, String description) {
        return new Field<>(name, Objects.requireNonNull(kind, "kind"), false, description, null);
    }

    /** A required member that always has this string value, e.g. {@code "type": "telemetry"}. */
    public static Field<Void> constant(String name, String value, String description) {
        return new Field<>(name, null, true, description, JsonNodeFactory.instance.textNode(value));
    }

    /** A required member that always has this number, e.g. {@code "v": 1}. */
    public static Field<Void> constant(String name, long value, String description) {
        return new Field<>(name, null, true, description, JsonNodeFactory.instance.numberNode(value));
    }

    public String name() {
        return name;
    }

    Kind<T> kind() {
        return kind;
    }

    public boolean isRequired() {
        return required;
    }

    String description() {
        return description;
    }

    /** The constant value, or null for an ordinary field. */
    JsonNode constant() {
        return constant;
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.fleetkit.protocol.model;

import java.util.Objects;

/**
 * One sensor of a device model.
 *
 * @param unit e.g. {@code °C}, {@code %}, {@code W}; empty for unit-less fields
 */
public record TelemetryField(String name, FieldType type, String unit, Generator generator) {
    public TelemetryField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(generator, "generator");
        if (!generator.produces(type)) {
            throw new IllegalArgumentException("generator: a " + generator.getClass().getSimpleName().toLowerCase()
                    + " generator cannot feed the " + type.wireName() + " field '" + name + "'");
        }
    }
}

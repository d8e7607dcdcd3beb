package io.fleetkit.protocol.model;

import io.fleetkit.protocol.codec.WireName;

/** The type of a telemetry field. */
public enum FieldType implements WireName {
    NUMBER("number"), INTEGER("integer"), BOOLEAN("boolean"), STRING("string");

    private final String wireName;

    FieldType(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}

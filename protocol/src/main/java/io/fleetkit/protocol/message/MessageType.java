package io.fleetkit.protocol.message;

import io.fleetkit.protocol.codec.WireName;

/**
 * The concern of a device-to-cloud message. Its wire name is both the {@code type} member of
 * the body and the {@code type} application property of the topic, which the hub routes on.
 */
public enum MessageType implements WireName {
    TELEMETRY("telemetry"),
    LIFECYCLE("lifecycle"),
    ALERT("alert"),
    PRESENCE("presence");

    /** The property-bag key that carries the type. */
    public static final String PROPERTY = "type";

    private final String wireName;

    MessageType(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}

package io.fleetkit.protocol.mqtt;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The IoT Hub system properties that may appear in a property bag, by their wire key. */
public enum SystemProperty {
    MESSAGE_ID("$.mid"),
    CORRELATION_ID("$.cid"),
    USER_ID("$.uid"),
    TO("$.to"),
    CONTENT_TYPE("$.ct"),
    CONTENT_ENCODING("$.ce"),
    CREATION_TIME_UTC("$.ctime"),
    EXPIRY_TIME_UTC("$.exp"),
    CONNECTION_DEVICE_ID("$.cdid"),
    CONNECTION_MODULE_ID("$.cmid"),
    OUTPUT_NAME("$.on"),
    INTERFACE_ID("$.ifid"),
    COMPONENT_NAME("$.sub");

    /** Keys starting with this prefix are system properties; others are application properties. */
    public static final String PREFIX = "$.";

    private final String key;

    SystemProperty(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Optional<SystemProperty> ofKey(String key) {
        for (SystemProperty p : values()) {
            if (p.key.equals(key)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static String allKeys() {
        return Arrays.stream(values()).map(SystemProperty::key).collect(Collectors.joining(" "));
    }
}

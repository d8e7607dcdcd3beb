package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.DeviceId;

import java.util.Objects;

/**
 * Cloud-to-device messages: {@code devices/{deviceId}/messages/devicebound/{propertyBag}},
 * the bag in the hub's spelling (every key URL-encoded, {@code %24.mid=…}).
 */
public record DeviceboundTopic(DeviceId deviceId, PropertyBag properties) implements Topic {
    public DeviceboundTopic {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public String format() {
        return "devices/" + deviceId.value() + "/messages/devicebound/" + properties.format(PropertyBag.Style.CLOUD_TO_DEVICE);
    }

    @Override
    public Direction direction() {
        return Direction.CLOUD_TO_DEVICE;
    }
}

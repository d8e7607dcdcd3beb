package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.ModuleId;

import java.util.Objects;
import java.util.Optional;

/**
 * Device-to-cloud messages: {@code devices/{deviceId}/messages/events/{propertyBag}}, or
 * {@code devices/{deviceId}/modules/{moduleId}/messages/events/{propertyBag}} from a module.
 */
public record TelemetryTopic(DeviceId deviceId, Optional<ModuleId> moduleId, PropertyBag properties) implements Topic {
    public TelemetryTopic {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(moduleId, "moduleId");
        Objects.requireNonNull(properties, "properties");
    }

    public TelemetryTopic(DeviceId deviceId, PropertyBag properties) {
        this(deviceId, Optional.empty(), properties);
    }

    @Override
    public String format() {
        StringBuilder sb = new StringBuilder(64).append("devices/").append(deviceId.value()).append('/');
        moduleId.ifPresent(m -> sb.append("modules/").append(m.value()).append('/'));
        return sb.append("messages/events/").append(properties.format(PropertyBag.Style.DEVICE_TO_CLOUD)).toString();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}

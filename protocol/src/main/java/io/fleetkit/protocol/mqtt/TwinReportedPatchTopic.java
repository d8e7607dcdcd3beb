package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/** The device updates its reported properties: {@code $iothub/twin/PATCH/properties/reported/?$rid={rid}}. */
public record TwinReportedPatchTopic(RequestId requestId) implements Topic {
    public TwinReportedPatchTopic {
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String format() {
        return "$iothub/twin/PATCH/properties/reported/?$rid=" + requestId.value();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}

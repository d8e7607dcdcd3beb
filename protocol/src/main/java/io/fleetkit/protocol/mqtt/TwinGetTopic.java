package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/** The device asks for its twin: {@code $iothub/twin/GET/?$rid={rid}}. */
public record TwinGetTopic(RequestId requestId) implements Topic {
    public TwinGetTopic {
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String format() {
        return "$iothub/twin/GET/?$rid=" + requestId.value();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}

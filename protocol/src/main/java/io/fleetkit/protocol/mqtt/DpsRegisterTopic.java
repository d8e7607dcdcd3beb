package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/** A device registers with DPS: {@code $dps/registrations/PUT/iotdps-register/?$rid={rid}}. */
public record DpsRegisterTopic(RequestId requestId) implements Topic {
    public DpsRegisterTopic {
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String format() {
        return "$dps/registrations/PUT/iotdps-register/?$rid=" + requestId.value();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}

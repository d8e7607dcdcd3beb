package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/** A direct method call from the hub: {@code $iothub/methods/POST/{methodName}/?$rid={rid}}. */
public record MethodRequestTopic(MethodName methodName, RequestId requestId) implements Topic {
    public MethodRequestTopic {
        Objects.requireNonNull(methodName, "methodName");
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String format() {
        return "$iothub/methods/POST/" + methodName.value() + "/?$rid=" + requestId.value();
    }

    @Override
    public Direction direction() {
        return Direction.CLOUD_TO_DEVICE;
    }
}

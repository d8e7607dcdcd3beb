package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/**
 * The device's answer to a direct method: {@code $iothub/methods/res/{status}/?$rid={rid}}.
 * The status is the device's choice (HTTP-like, e.g. 200, 400, 500), passed to the caller as is.
 */
public record MethodResponseTopic(int status, RequestId requestId) implements Topic {
    public MethodResponseTopic {
        TopicParser.checkStatus(status);
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String format() {
        return "$iothub/methods/res/" + status + "/?$rid=" + requestId.value();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}

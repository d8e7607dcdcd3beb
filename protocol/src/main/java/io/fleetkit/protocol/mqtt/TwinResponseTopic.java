package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The hub's answer to a twin GET or PATCH: {@code $iothub/twin/res/{status}/?$rid={rid}}, with
 * {@code &$version={version}} after a successful reported-properties update.
 */
public record TwinResponseTopic(int status, RequestId requestId, OptionalLong version) implements Topic {
    public TwinResponseTopic {
        TopicParser.checkStatus(status);
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(version, "version");
        if (version.isPresent() && version.getAsLong() < 0) {
            throw new IllegalArgumentException("version: must not be negative, was " + version.getAsLong());
        }
    }

    @Override
    public String format() {
        String base = "$iothub/twin/res/" + status + "/?$rid=" + requestId.value();
        return version.isPresent() ? base + "&$version=" + version.getAsLong() : base;
    }

    @Override
    public Direction direction() {
        return Direction.CLOUD_TO_DEVICE;
    }
}

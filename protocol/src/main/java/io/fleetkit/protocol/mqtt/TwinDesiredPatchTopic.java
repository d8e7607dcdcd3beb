package io.fleetkit.protocol.mqtt;

/** The hub notifies a change of desired properties: {@code $iothub/twin/PATCH/properties/desired/?$version={version}}. */
public record TwinDesiredPatchTopic(long version) implements Topic {
    public TwinDesiredPatchTopic {
        if (version < 0) {
            throw new IllegalArgumentException("version: must not be negative, was " + version);
        }
    }

    @Override
    public String format() {
        return "$iothub/twin/PATCH/properties/desired/?$version=" + version;
    }

    @Override
    public Direction direction() {
        return Direction.CLOUD_TO_DEVICE;
    }
}

package io.fleetkit.backend.registry;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.Objects;

/**
 * A device identity as the hub's registry knows it. Immutable; the registry replaces it on change.
 *
 * @param lastActivity the last CONNECT, publish or ping, or {@code created} when none yet
 */
public record Device(DeviceId id, DeviceStatus status, Authentication authentication, Instant created,
                     ConnectionState connectionState, Instant lastActivity) {
    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(connectionState, "connectionState");
        Objects.requireNonNull(lastActivity, "lastActivity");
    }

    public boolean isEnabled() {
        return status == DeviceStatus.ENABLED;
    }

    Device with(DeviceStatus s) {
        return new Device(id, s, authentication, created, connectionState, lastActivity);
    }

    Device with(ConnectionState c, Instant at) {
        return new Device(id, status, authentication, created, c, at);
    }

    Device active(Instant at) {
        return new Device(id, status, authentication, created, connectionState, at);
    }
}

package io.fleetkit.backend.registry;

import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The hub's device identities: registered through DPS, or added, changed and removed through IoT Hub's service API (its
 * registry, https://learn.microsoft.com/rest/api/iothub/service/devices). Implementations are thread-safe; calls may block
 * (the store's), so callers run them off the event loop.
 */
public interface DeviceRegistry {
    /** For {@code ifVersion}: any version ({@code If-Match: *}, or none). */
    long ANY_VERSION = -1;

    Optional<Device> find(DeviceId id);

    /** Creates an enabled device, or returns the existing one unchanged (DPS re-registration). */
    Device createIfAbsent(DeviceId id, Authentication authentication, Instant now);

    /**
     * Adds a device, as IoT Hub's registry PUT without {@code If-Match} does.
     *
     * @param thumbprints for a device that authenticates by thumbprint ({@link Authentication#X509_SELF_SIGNED}), else null
     * @throws FleetkitException {@code CONFLICT} when the id is taken
     */
    Device add(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, Instant now);

    /**
     * Changes a device's status and authentication.
     *
     * @param ifVersion the version the caller saw ({@link Device#version()}), or {@link #ANY_VERSION}
     * @throws FleetkitException {@code NOT_FOUND} when there is no such device, {@code PRECONDITION_FAILED} when its version
     *                           is not {@code ifVersion}
     */
    Device update(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, long ifVersion);

    /**
     * Removes a device; empty when there was none.
     *
     * @throws FleetkitException {@code PRECONDITION_FAILED} when its version is not {@code ifVersion}
     */
    Optional<Device> remove(DeviceId id, long ifVersion);

    /** Enables or disables a device, keeping its authentication. @throws java.util.NoSuchElementException when there is no such device */
    default Device setStatus(DeviceId id, DeviceStatus status) {
        Device d = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no device '" + id + "' in the registry"));
        return update(id, status, d.authentication(), d.thumbprints(), ANY_VERSION);
    }

    void connected(DeviceId id, Instant at);

    void disconnected(DeviceId id, Instant at);

    /** Records activity (a publish, a ping) without changing the connection state. */
    void activity(DeviceId id, Instant at);

    /** Devices ordered by id, from {@code offset}, at most {@code limit}. */
    List<Device> list(int offset, int limit);

    int count();

    static FleetkitException notFound(DeviceId id) {
        return new FleetkitException(FleetkitException.Kind.NOT_FOUND, "no device '" + id + "' in the registry");
    }

    static FleetkitException exists(DeviceId id) {
        return new FleetkitException(FleetkitException.Kind.CONFLICT, "a device '" + id + "' is in the registry already");
    }

    static FleetkitException stale(Device current, long ifVersion) {
        return new FleetkitException(FleetkitException.Kind.PRECONDITION_FAILED, "device '" + current.id() + "' has changed: its etag is "
                + current.etag() + ", the request's If-Match named version " + ifVersion);
    }

    /** Checks {@code ifVersion} against the device's. */
    static void checkVersion(Device current, long ifVersion) {
        if (ifVersion != ANY_VERSION && current.version() != ifVersion) {
            throw stale(current, ifVersion);
        }
    }
}

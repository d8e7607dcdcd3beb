package io.fleetkit.backend.registry;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A device identity as the hub's registry knows it. Immutable; the registry replaces it on change.
 *
 * @param thumbprints  the certificate thumbprints it authenticates with when it was added by thumbprint (IoT Hub's
 *                     {@code selfSigned}); null when its certificate is attested by an enrollment (DPS) or chains to a CA
 * @param version      counts the changes to its status and authentication: its {@link #etag()}
 * @param lastActivity the last CONNECT, publish or ping, or {@code created} when none yet
 */
public record Device(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, Instant created,
                     long version, ConnectionState connectionState, Instant lastActivity) {
    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(connectionState, "connectionState");
        Objects.requireNonNull(lastActivity, "lastActivity");
        if (thumbprints != null && authentication != Authentication.X509_SELF_SIGNED) {
            throw new IllegalArgumentException("thumbprints: only a self-signed device is registered by thumbprint");
        }
    }

    /** A device as DPS registers it: enabled, its certificate attested by its enrollment. */
    public static Device registered(DeviceId id, Authentication authentication, Instant now) {
        return new Device(id, DeviceStatus.ENABLED, authentication, null, now, 1, ConnectionState.DISCONNECTED, now);
    }

    public boolean isEnabled() {
        return status == DeviceStatus.ENABLED;
    }

    /** IoT Hub's entity tag of the identity: opaque to clients, changed by every update. */
    public String etag() {
        return Base64.getEncoder().encodeToString(Long.toString(version).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The version an etag names, or -1 when it is not one of ours (quotes around it allowed, as RFC 9110 writes them). */
    public static long versionOf(String etag) {
        String e = etag.strip();
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        try {
            return Long.parseLong(new String(Base64.getDecoder().decode(e), java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException notOurs) {
            return -1;
        }
    }

    /** IoT Hub's generation id: tells apart two devices that had the same id, one deleted before the other was added. */
    public String generationId() {
        return Long.toString(created.getEpochSecond() * 1_000_000L + created.getNano() / 1_000);
    }

    /** The device with a new status and authentication, one version on. */
    public Device updated(DeviceStatus s, Authentication a, Thumbprints t) {
        return new Device(id, s, a, t, created, version + 1, connectionState, lastActivity);
    }

    Device with(ConnectionState c, Instant at) {
        return new Device(id, status, authentication, thumbprints, created, version, c, at);
    }

    Device active(Instant at) {
        return new Device(id, status, authentication, thumbprints, created, version, connectionState, at);
    }
}

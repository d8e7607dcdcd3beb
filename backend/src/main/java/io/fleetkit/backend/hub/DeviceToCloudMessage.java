package io.fleetkit.backend.hub;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.ModuleId;
import io.fleetkit.protocol.mqtt.PropertyBag;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A device-to-cloud message as the hub accepted it: who sent it (from the connection, never
 * from the message), its property bag, its body bytes (copied out of Netty's buffers) and when
 * the hub received it.
 */
public record DeviceToCloudMessage(DeviceId deviceId, Optional<ModuleId> moduleId, PropertyBag properties,
                                   byte[] body, Instant enqueuedTime) {
    public DeviceToCloudMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(moduleId, "moduleId");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(enqueuedTime, "enqueuedTime");
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceToCloudMessage m && deviceId.equals(m.deviceId) && moduleId.equals(m.moduleId)
                && properties.equals(m.properties) && Arrays.equals(body, m.body) && enqueuedTime.equals(m.enqueuedTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, moduleId, properties, Arrays.hashCode(body), enqueuedTime);
    }

    @Override
    public String toString() {
        return "DeviceToCloudMessage[" + deviceId + ", " + properties + ", " + body.length + " bytes, " + enqueuedTime + "]";
    }
}

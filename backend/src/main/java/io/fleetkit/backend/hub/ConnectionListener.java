package io.fleetkit.backend.hub;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;

/**
 * Told when a device connects to the hub or its last connection closes (a device that connects
 * again replaces its old connection without a disconnect in between). Called on the
 * connection's event loop: implementations must not block.
 */
@FunctionalInterface
public interface ConnectionListener {
    /** @param modelId on a connect, the IoT Plug and Play model id the device announced ({@code model-id=dtmi:…}), else null */
    void connectionChanged(DeviceId deviceId, boolean connected, Instant at, String modelId);
}

package io.fleetkit.backend.hub;

import java.util.concurrent.CompletionStage;

/**
 * Where the hub hands device-to-cloud messages. The hub acknowledges a QoS 1 publish (PUBACK)
 * only when the returned stage completes normally, so an implementation completes it only once
 * the message is safe (durably stored, for the routing pipeline). A failed stage means no PUBACK:
 * the device keeps the message and sends it again.
 *
 * <p>Called on the connection's event loop: implementations must not block.
 */
@FunctionalInterface
public interface DeviceToCloudSink {
    CompletionStage<Void> accept(DeviceToCloudMessage message);
}

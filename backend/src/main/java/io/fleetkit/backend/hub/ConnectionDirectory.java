package io.fleetkit.backend.hub;

import io.fleetkit.protocol.id.DeviceId;

/**
 * Where each device's connection is held, for a hub of several processes (a cluster): the gateway records every connection
 * it accepts before its CONNACK, and every one that ends. One process needs none ({@link #SINGLE_PROCESS}): its gateway
 * knows all connections itself.
 */
public interface ConnectionDirectory {
    /** One hub process: nothing to record. */
    ConnectionDirectory SINGLE_PROCESS = new ConnectionDirectory() {
        @Override
        public boolean isShared() {
            return false;
        }

        @Override
        public void connecting(DeviceId deviceId, String connectionId, byte[] certificate) {
        }

        @Override
        public void disconnected(DeviceId deviceId, String connectionId) {
        }
    };

    /** False for {@link #SINGLE_PROCESS}: the gateway then skips the calls below. */
    default boolean isShared() {
        return true;
    }

    /**
     * Records that {@code deviceId} is connected here on {@code connectionId}, before the device gets its CONNACK; a connection
     * of the same device held elsewhere is then closed (IoT Hub's newest connection wins). May block: the gateway calls it off
     * its event loops.
     *
     * @param certificate the DER of the certificate the device authenticated with (claims verify its presence messages with it)
     * @throws RuntimeException when it cannot be recorded: the gateway refuses the connection (server unavailable)
     */
    void connecting(DeviceId deviceId, String connectionId, byte[] certificate);

    /** That connection ended (not called when a newer connection elsewhere replaced it). Must not block: called on an event loop. */
    void disconnected(DeviceId deviceId, String connectionId);
}

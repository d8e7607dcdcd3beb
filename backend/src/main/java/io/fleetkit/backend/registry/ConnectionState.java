package io.fleetkit.backend.registry;

/** Whether a device has an open MQTT connection to the hub. */
public enum ConnectionState {
    CONNECTED, DISCONNECTED
}

package io.fleetkit.backend.registry;

/** Whether a device may connect. */
public enum DeviceStatus {
    ENABLED, DISABLED
}

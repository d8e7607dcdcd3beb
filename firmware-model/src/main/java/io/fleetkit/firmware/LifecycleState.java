package io.fleetkit.firmware;

/** Where a device is in its life; the swarm counts devices per state. */
public enum LifecycleState {
    /** Powered off or not yet booted. */
    OFF,
    /** Talking to DPS: connecting, registering, polling. */
    PROVISIONING,
    /** Connecting to the assigned hub. */
    CONNECTING,
    /** Connected to the hub and sending telemetry. */
    ONLINE,
    /** Waiting to retry after a failure. */
    BACKOFF,
    /** Restarting (after {@code reboot} or {@code factoryReset}). */
    REBOOTING,
    /** Stopped retrying after too many failures. */
    GAVE_UP
}

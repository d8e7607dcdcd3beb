package io.fleetkit.firmware;

/** The firmware's timers; at most one of each is pending, setting one again replaces it. */
public enum Timer {
    /** Retry a DPS or hub connection after backoff. */
    RECONNECT,
    /** Send the DPS register request again after a 429. */
    REGISTER,
    /** Poll the DPS operation. */
    POLL,
    /** Send the next telemetry message. */
    TELEMETRY,
    /** A delayed reboot (method {@code reboot} with a delay, {@code factoryReset}). */
    REBOOT,
    /** Stop blinking ({@code identify}). */
    IDENTIFY_END,
    /** The ownership-claim window closes. */
    CLAIM_END,
    /** Send a method answer that an override delays. */
    METHOD_REPLY
}

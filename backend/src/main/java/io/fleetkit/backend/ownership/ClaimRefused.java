package io.fleetkit.backend.ownership;

/** A claim that could not even start; {@link #reason} says which way, the message says why. */
public final class ClaimRefused extends RuntimeException {
    public enum Reason {
        /** The device is unknown or not connected (the two are not told apart: existence is not revealed). */
        NOT_ONLINE,
        /** Another user's claim on the device is still pending. */
        CONFLICT
    }

    private final Reason reason;

    ClaimRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

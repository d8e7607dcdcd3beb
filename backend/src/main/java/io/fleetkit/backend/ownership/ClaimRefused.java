package io.fleetkit.backend.ownership;

import io.fleetkit.protocol.FleetkitException;

/**
 * A claim that could not even start, told to the client as it is: {@code NOT_FOUND} when the device is unknown or not
 * connected (the two are not told apart: existence is not revealed), {@code CONFLICT} when another user's claim on it is
 * still pending. The message is meant for the client.
 */
public final class ClaimRefused extends FleetkitException {
    private static final long serialVersionUID = 1L;

    private ClaimRefused(Kind kind, String message) {
        super(kind, message);
    }

    static ClaimRefused notOnline(Object deviceId) {
        return new ClaimRefused(Kind.NOT_FOUND, "no online device '" + deviceId + "' to claim: the device must be connected");
    }

    static ClaimRefused pending(Object deviceId, Object until) {
        return new ClaimRefused(Kind.CONFLICT, "another claim on device '" + deviceId + "' is pending until " + until);
    }
}

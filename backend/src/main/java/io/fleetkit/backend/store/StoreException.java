package io.fleetkit.backend.store;

import io.fleetkit.protocol.FleetkitException;

/** The database could not do what was asked; the message says what and why. */
public final class StoreException extends FleetkitException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(Kind.UNAVAILABLE, message, null);
    }

    public StoreException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}

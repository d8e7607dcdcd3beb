package io.fleetkit.backend.store;

/** The database could not do what was asked; the message says what and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

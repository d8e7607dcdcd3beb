package io.fleetkit.backend.api;

/** A request's bearer token was missing or not acceptable; the message says why (answered as 401). */
public final class AuthenticationException extends Exception {
    public AuthenticationException(String message) {
        super(message);
    }
}

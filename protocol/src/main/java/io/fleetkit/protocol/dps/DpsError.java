package io.fleetkit.protocol.dps;

import java.time.Instant;
import java.util.Objects;

/**
 * The body of a DPS error answer (4xx/5xx):
 * {@code {"errorCode":401002,"trackingId":"…","message":"…","timestampUtc":"…"}}.
 *
 * @param errorCode six digits: the HTTP status followed by three more (401002: unauthorised)
 */
public record DpsError(int errorCode, String trackingId, String message, Instant timestampUtc) {
    public DpsError {
        if (errorCode < 100_000 || errorCode > 599_999) {
            throw new IllegalArgumentException("errorCode: must be six digits starting with an HTTP status, was " + errorCode);
        }
        Objects.requireNonNull(trackingId, "trackingId");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(timestampUtc, "timestampUtc");
    }

    /** The HTTP status that this error's code starts with. */
    public int status() {
        return errorCode / 1000;
    }
}

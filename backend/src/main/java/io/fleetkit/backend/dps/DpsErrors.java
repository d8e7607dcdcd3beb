package io.fleetkit.backend.dps;

import io.fleetkit.protocol.dps.DpsCodecs;
import io.fleetkit.protocol.dps.DpsError;

import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The DPS error answers, in one place. Codes are six digits, the HTTP status first, following
 * the service's scheme (400004 bad body, 401002 unauthorised, 429001 throttled).
 */
public enum DpsErrors {
    BAD_BODY(400004),
    REGISTRATION_ID_MISMATCH(400005),
    UNAUTHORIZED(401002),
    CN_MISMATCH(401003),
    ENROLLMENT_DISABLED(403001),
    OPERATION_NOT_FOUND(404202),
    THROTTLED(429001),
    INTERNAL(500001);

    private final int errorCode;

    DpsErrors(int errorCode) {
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    public int status() {
        return errorCode / 1000;
    }

    /** The reply: status, a DPS error body with a tracking id, and retry-after when given. */
    public DpsReply reply(String message, Instant now, OptionalInt retryAfter) {
        DpsError e = new DpsError(errorCode, UUID.randomUUID().toString(), message, now);
        return new DpsReply(status(), DpsCodecs.ERROR.toJson(e), retryAfter);
    }

    public DpsReply reply(String message, Instant now) {
        return reply(message, now, OptionalInt.empty());
    }
}

package io.fleetkit.protocol.method;

import io.fleetkit.protocol.codec.WireName;

import java.util.Objects;

/**
 * The payload of a failed answer, sent with a status of 400 or more:
 * {@code {"error":"invalidRequest","message":"$.intervalSeconds: expected an integer from 1 to 86400, found 0"}}.
 */
public record MethodError(Code error, String message) {
    public MethodError {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(message, "message");
    }

    /** Why a method failed, with the status the reference firmware answers with. */
    public enum Code implements WireName {
        INVALID_REQUEST("invalidRequest", 400),
        UNKNOWN_METHOD("unknownMethod", 404),
        BUSY("busy", 409),
        INTERNAL("internal", 500);

        private final String wireName;
        private final int status;

        Code(String wireName, int status) {
            this.wireName = wireName;
            this.status = status;
        }

        @Override
        public String wireName() {
            return wireName;
        }

        public int status() {
            return status;
        }
    }
}

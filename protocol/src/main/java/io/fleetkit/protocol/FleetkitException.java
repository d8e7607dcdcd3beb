package io.fleetkit.protocol;

import java.util.Objects;

/**
 * fleetkit's small error vocabulary: a failure that says what kind it is ({@link Kind}) and so whose fault it is
 * ({@link Fault}). Every edge translates it in one place — the REST API into an RFC 9457 problem with the kind's status, the
 * MQTT gateway into a refusal or a disconnect with one log line, the command line into an exit code — so the client is told
 * its own fault precisely and a server fault is never blamed on the client.
 *
 * <p>Programming errors stay {@link IllegalArgumentException} and {@link IllegalStateException}: they are not in this
 * family, and every edge treats them as the server's fault. (The pattern is Hono's {@code ServiceInvocationException}:
 * one type with the error class in it, rather than a type per error.)
 */
public class FleetkitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whose fault a failure is: a client that sent something wrong, or the server that could not do its part. */
    public enum Fault {
        CLIENT,
        SERVER
    }

    /** What went wrong, in the terms every edge maps from; the problem type is {@code urn:fleetkit:problem:{type}}. */
    public enum Kind {
        /** Malformed or out-of-range input: bytes, text, a file, a field. */
        INVALID_INPUT("invalid-input", Fault.CLIENT),
        /** Authentication missing or not acceptable. */
        UNAUTHENTICATED("unauthenticated", Fault.CLIENT),
        /** Authenticated, but not allowed. */
        FORBIDDEN("forbidden", Fault.CLIENT),
        /** No such thing (or not one the caller may see). */
        NOT_FOUND("not-found", Fault.CLIENT),
        /** The request clashes with the state of what it addresses (a claim pending, a file that exists). */
        CONFLICT("conflict", Fault.CLIENT),
        /** The request named a version (an {@code If-Match} etag) that is no longer the current one. */
        PRECONDITION_FAILED("precondition-failed", Fault.CLIENT),
        /** Over a quota or a queue's limit; the caller may try again later. */
        THROTTLED("throttled", Fault.CLIENT),
        /** A part the server needs (disk, database, broker) is down or not keeping up. */
        UNAVAILABLE("unavailable", Fault.SERVER),
        /** The server waited for something (a device, a peer) that did not answer in time. */
        TIMEOUT("timeout", Fault.SERVER),
        /** Anything else the server failed at. */
        INTERNAL("internal", Fault.SERVER);

        private final String type;
        private final Fault fault;

        Kind(String type, Fault fault) {
            this.type = type;
            this.fault = fault;
        }

        /** A short, stable name for the problem type, e.g. {@code invalid-input}. */
        public String type() {
            return type;
        }

        public Fault fault() {
            return fault;
        }

        /** {@code urn:fleetkit:problem:{type}}: the {@code type} of an RFC 9457 problem body. */
        public String problemType() {
            return "urn:fleetkit:problem:" + type;
        }
    }

    private final Kind kind;

    public FleetkitException(Kind kind, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** For failures that happen on purpose, as answers, many times a second: no stack trace is filled in. */
    public FleetkitException(Kind kind, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public final Kind kind() {
        return kind;
    }

    public final Fault fault() {
        return kind.fault();
    }

    public final boolean isClientFault() {
        return kind.fault() == Fault.CLIENT;
    }
}

package io.fleetkit.backend.api;

import io.fleetkit.protocol.FleetkitException;

import java.util.Objects;

/**
 * A request the API answers with an RFC 9457 problem: status, a short title, a detail that says
 * what was wrong and where, and for bad input the JSON pointer or parameter name at fault.
 * Thrown by handlers; the router's failure handler writes it. It is the REST edge's own member of the error family: its
 * kind follows from its status. Code below the edge throws a {@link FleetkitException} instead, which {@code Problems}
 * translates.
 */
public final class ApiProblem extends FleetkitException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String title;
    private final String field;

    public ApiProblem(int status, String title, String detail, String field) {
        super(kindOf(status), Objects.requireNonNull(detail, "detail"));
        this.status = status;
        this.title = Objects.requireNonNull(title, "title");
        this.field = field;
    }

    private static Kind kindOf(int status) {
        return switch (status) {
            case 400, 413, 414, 431 -> Kind.INVALID_INPUT;
            case 401 -> Kind.UNAUTHENTICATED;
            case 403 -> Kind.FORBIDDEN;
            case 404, 405 -> Kind.NOT_FOUND;
            case 409 -> Kind.CONFLICT;
            case 412 -> Kind.PRECONDITION_FAILED;
            case 429 -> Kind.THROTTLED;
            case 503 -> Kind.UNAVAILABLE;
            case 504 -> Kind.TIMEOUT;
            default -> status < 500 ? Kind.INVALID_INPUT : Kind.INTERNAL;
        };
    }

    public static ApiProblem badRequest(String field, String detail) {
        return new ApiProblem(400, "Bad request", detail, field);
    }

    /** Unknown, or not the caller's: the two answers are the same so that existence is not revealed. */
    public static ApiProblem noSuchDevice(String deviceId) {
        return new ApiProblem(404, "Not found", "no device '" + deviceId + "' that you may see", null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** The parameter or JSON pointer at fault, or null. */
    public String field() {
        return field;
    }
}

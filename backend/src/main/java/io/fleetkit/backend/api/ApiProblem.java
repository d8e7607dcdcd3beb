package io.fleetkit.backend.api;

import java.util.Objects;

/**
 * A request the API answers with an RFC 9457 problem: status, a short title, a detail that says
 * what was wrong and where, and for bad input the JSON pointer or parameter name at fault.
 * Thrown by handlers; the router's failure handler writes it.
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;

    public ApiProblem(int status, String title, String detail, String field) {
        super(Objects.requireNonNull(detail, "detail"), null, false, false);
        this.status = status;
        this.title = Objects.requireNonNull(title, "title");
        this.field = field;
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

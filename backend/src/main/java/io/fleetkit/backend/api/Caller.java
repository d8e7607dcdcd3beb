package io.fleetkit.backend.api;

/** Who is calling the REST API: a user (sees only their devices) or an operator (scope {@value #ADMIN_SCOPE}: every device). */
public record Caller(String userId, boolean operator) {
    public static final String ADMIN_SCOPE = "fleet.admin";
}

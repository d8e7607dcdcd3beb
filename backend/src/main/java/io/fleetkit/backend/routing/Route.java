package io.fleetkit.backend.routing;

import java.util.Objects;

/**
 * A route: messages from {@code source} that satisfy {@code condition} go to {@code endpoint}.
 *
 * @param name     unique, for configuration and metrics
 * @param endpoint the name of a stream endpoint
 */
public record Route(String name, RouteSource source, RouteCondition condition, String endpoint, boolean enabled) {
    public Route {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(endpoint, "endpoint");
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("name: a route name is 1–64 letters, digits, '_', '.' or '-', was '" + name + "'");
        }
        if (!endpoint.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("endpoint: an endpoint name is 1–64 lower-case letters, digits, '_' or '-', was '" + endpoint + "'");
        }
    }

    public static Route of(String name, RouteSource source, String condition, String endpoint) {
        return new Route(name, source, RouteCondition.parse(condition), endpoint, true);
    }
}

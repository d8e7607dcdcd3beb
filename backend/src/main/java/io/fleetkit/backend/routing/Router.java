package io.fleetkit.backend.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides where a message goes: every enabled route of its source whose condition holds (each
 * endpoint once), or — when none does and the fallback route is on — the built-in
 * {@value #EVENTS} endpoint, as IoT Hub's fallback route does for device messages. Immutable
 * and thread-safe; build a new one to change the routes.
 */
public final class Router {
    /** The built-in endpoint of the fallback route. */
    public static final String EVENTS = "events";

    private final List<Route> routes;
    private final boolean fallback;

    /** @throws IllegalArgumentException when two routes share a name */
    public Router(List<Route> routes, boolean fallback) {
        this.routes = List.copyOf(routes);
        this.fallback = fallback;
        Set<String> names = new HashSet<>();
        for (Route r : this.routes) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("routes: two routes are named '" + r.name() + "'");
            }
        }
    }

    public List<Route> routes() {
        return routes;
    }

    public boolean fallback() {
        return fallback;
    }

    /** Every endpoint any route uses, and the fallback's. */
    public Set<String> endpoints() {
        Set<String> out = new LinkedHashSet<>();
        routes.forEach(r -> out.add(r.endpoint()));
        if (fallback) {
            out.add(EVENTS);
        }
        return out;
    }

    /** The endpoints a message goes to, in route order, each once; empty when it goes nowhere. */
    public List<String> route(RouteSource source, RoutableMessage message) {
        Set<String> out = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.enabled() && r.source() == source && r.condition().matches(message)) {
                out.add(r.endpoint());
            }
        }
        if (out.isEmpty() && fallback && source == RouteSource.DEVICE_MESSAGES) {
            out.add(EVENTS);
        }
        return new ArrayList<>(out);
    }
}

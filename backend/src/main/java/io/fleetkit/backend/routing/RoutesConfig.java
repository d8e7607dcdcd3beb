package io.fleetkit.backend.routing;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Routes as configuration: a JSON file such as
 * <pre>
 * {
 *   "fallback": true,
 *   "routes": [
 *     {"name": "telemetry", "source": "DeviceMessages", "condition": "type = 'telemetry'", "endpoint": "telemetry"},
 *     {"name": "critical", "source": "DeviceMessages",
 *      "condition": "type = 'alert' AND $body.severity = 'critical'", "endpoint": "alerts", "enabled": true},
 *     {"name": "connections", "source": "DeviceLifecycleEvents", "condition": "true", "endpoint": "lifecycle"}
 *   ]
 * }
 * </pre>
 * Sources are named as in IoT Hub ({@code DeviceMessages}, {@code DeviceLifecycleEvents},
 * {@code TwinChangeEvents}). Every mistake is reported with the file and the JSON pointer.
 */
public record RoutesConfig(List<Route> routes, boolean fallback) {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> TOP = Set.of("fallback", "routes");
    private static final Set<String> ROUTE = Set.of("name", "source", "condition", "endpoint", "enabled");

    public RoutesConfig {
        routes = List.copyOf(routes);
    }

    /** @throws IllegalArgumentException naming the file, where in it and what is wrong */
    public static RoutesConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static RoutesConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object with \"routes\" (and optionally \"fallback\")");
        }
        onlyKnown(root, TOP, source, "");
        boolean fallback = true;
        if (root.has("fallback")) {
            if (!root.get("fallback").isBoolean()) {
                throw new IllegalArgumentException(source + ": /fallback: expected true or false");
            }
            fallback = root.get("fallback").booleanValue();
        }
        JsonNode list = root.get("routes");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(source + ": /routes: expected an array of routes");
        }
        List<Route> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "/routes/" + i;
            JsonNode r = list.get(i);
            if (!r.isObject()) {
                throw new IllegalArgumentException(source + ": " + at + ": expected an object");
            }
            onlyKnown(r, ROUTE, source, at);
            String name = text(r, "name", source, at);
            if (!names.add(name)) {
                throw new IllegalArgumentException(source + ": " + at + "/name: a route named '" + name + "' is already defined");
            }
            RouteSource from = source(text(r, "source", source, at), source, at);
            boolean enabled = true;
            if (r.has("enabled")) {
                if (!r.get("enabled").isBoolean()) {
                    throw new IllegalArgumentException(source + ": " + at + "/enabled: expected true or false");
                }
                enabled = r.get("enabled").booleanValue();
            }
            try {
                RouteCondition condition = RouteCondition.parse(text(r, "condition", source, at));
                routes.add(new Route(name, from, condition, text(r, "endpoint", source, at), enabled));
            } catch (IllegalArgumentException | ProtocolException e) {
                throw new IllegalArgumentException(source + ": " + at + ": " + e.getMessage(), e);
            }
        }
        return new RoutesConfig(routes, fallback);
    }

    private static RouteSource source(String name, String source, String at) {
        return switch (name) {
            case "DeviceMessages" -> RouteSource.DEVICE_MESSAGES;
            case "DeviceLifecycleEvents", "DeviceConnectionStateEvents" -> RouteSource.DEVICE_LIFECYCLE_EVENTS;
            case "TwinChangeEvents" -> RouteSource.TWIN_CHANGE_EVENTS;
            default -> throw new IllegalArgumentException(source + ": " + at + "/source: '" + name
                    + "' is not a route source; expected DeviceMessages, DeviceLifecycleEvents or TwinChangeEvents");
        };
    }

    private static String text(JsonNode r, String field, String source, String at) {
        JsonNode v = r.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(source + ": " + at + "/" + field + ": expected a string" + (v == null ? ", it is missing" : ""));
        }
        return v.textValue();
    }

    private static void onlyKnown(JsonNode object, Set<String> allowed, String source, String at) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(source + ": " + at + "/" + f + ": unknown field; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }
}

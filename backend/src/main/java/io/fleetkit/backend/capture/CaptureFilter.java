package io.fleetkit.backend.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps only allow-listed data. Body fields are named by path — {@code seq}, {@code readings.temperature}, or
 * {@code readings.*} for every member of {@code readings} — and a path keeps only a scalar (a number, string, boolean
 * or null): an object or array where the allow-list names a value is dropped, so nothing nested under an allowed name
 * slips through. Application properties are kept by name. Content type and encoding are kept only when they are one of
 * a fixed set (lower-cased), never as the device wrote them. A body that is not a JSON object cannot be checked and is
 * not archived at all (fail closed).
 */
final class CaptureFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Content types capture records; IoT Hub routes on a JSON body's fields only with application/json. */
    static final Set<String> CONTENT_TYPES = Set.of("application/json", "application/cbor", "application/octet-stream", "text/plain");
    /** Content encodings capture records: the ones IoT Hub accepts for a JSON body. */
    static final Set<String> CONTENT_ENCODINGS = Set.of("utf-8", "utf-16", "utf-32");

    private final List<String[]> bodyPaths;
    private final Set<String> properties;

    CaptureFilter(Set<String> bodyPaths, Set<String> properties) {
        this.bodyPaths = bodyPaths.stream().map(p -> p.split("\\.", -1)).toList();
        this.properties = properties;
    }

    /** Checks an allow-list path: dot-separated member names or {@code *}, none empty. */
    static String validPath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("capture body path: must not be empty");
        }
        for (String part : path.split("\\.", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("capture body path '" + path + "': an empty member name (two dots, or one at an end)");
            }
        }
        return path;
    }

    Optional<byte[]> body(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!(tree instanceof ObjectNode object)) {
            return Optional.empty();
        }
        ObjectNode kept = keep(object, bodyPaths, 0);
        try {
            return Optional.of(JSON.writeValueAsBytes(kept));
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-encode a filtered body", e);
        }
    }

    /**
     * What of {@code from} the {@code paths} (matched from {@code depth} on) allow, in the body's own member order:
     * a scalar where a path ends, the allowed part of an object where a path goes on, nothing else.
     */
    private static ObjectNode keep(ObjectNode from, List<String[]> paths, int depth) {
        ObjectNode kept = JSON.createObjectNode();
        from.fields().forEachRemaining(f -> {
            List<String[]> matching = paths.stream().filter(p -> p[depth].equals("*") || p[depth].equals(f.getKey())).toList();
            JsonNode value = f.getValue();
            if (value.isValueNode()) {
                if (matching.stream().anyMatch(p -> p.length == depth + 1)) {
                    kept.set(f.getKey(), value);
                }
            } else if (value instanceof ObjectNode inner) {
                List<String[]> deeper = matching.stream().filter(p -> p.length > depth + 1).toList();
                if (!deeper.isEmpty()) {
                    ObjectNode part = keep(inner, deeper, depth + 1);
                    if (!part.isEmpty()) {
                        kept.set(f.getKey(), part);
                    }
                }
            }
        });
        return kept;
    }

    /** Application properties on the allow-list; system properties ({@code $.…}) are never copied here. */
    Map<String, String> properties(Map<String, String> all) {
        Map<String, String> kept = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (!k.startsWith("$.") && properties.contains(k)) {
                kept.put(k, v);
            }
        });
        return kept;
    }

    /** The content type if it is one of {@link #CONTENT_TYPES} (ignoring case and parameters), else empty. */
    static Optional<String> contentType(String declared) {
        if (declared == null) {
            return Optional.empty();
        }
        String type = declared.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.contains(type) ? Optional.of(type) : Optional.empty();
    }

    /** The content encoding if it is one of {@link #CONTENT_ENCODINGS} (ignoring case), else empty. */
    static Optional<String> contentEncoding(String declared) {
        if (declared == null) {
            return Optional.empty();
        }
        String encoding = declared.trim().toLowerCase(Locale.ROOT);
        return CONTENT_ENCODINGS.contains(encoding) ? Optional.of(encoding) : Optional.empty();
    }
}

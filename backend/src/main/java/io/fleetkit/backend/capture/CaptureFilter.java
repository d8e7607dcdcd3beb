package io.fleetkit.backend.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps only allow-listed data: top-level JSON body fields and application properties. A body
 * that is not a JSON object cannot be checked and is not archived at all (fail closed).
 */
final class CaptureFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Set<String> bodyFields;
    private final Set<String> properties;

    CaptureFilter(Set<String> bodyFields, Set<String> properties) {
        this.bodyFields = bodyFields;
        this.properties = properties;
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
        ObjectNode kept = JSON.createObjectNode();
        object.fields().forEachRemaining(f -> {
            if (bodyFields.contains(f.getKey())) {
                kept.set(f.getKey(), f.getValue());
            }
        });
        try {
            return Optional.of(JSON.writeValueAsBytes(kept));
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-encode a filtered body", e);
        }
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
}

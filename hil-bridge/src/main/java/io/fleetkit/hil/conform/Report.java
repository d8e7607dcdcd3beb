package io.fleetkit.hil.conform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;

/** What a conformance run found: human-readable ({@link #text()}) and JSON ({@link #json()}). */
public record Report(String scenario, String device, String reference, int steps, List<Difference> differences, Duration took,
                     int deviceCorruptFrames, int referenceCorruptFrames) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean conforms() {
        return differences.isEmpty();
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("conformance: ").append(scenario).append(", ").append(steps).append(" steps in ")
                .append(String.format("%.1f s", took.toMillis() / 1000.0)).append('\n');
        b.append("  device     ").append(device).append(deviceCorruptFrames > 0 ? " (" + deviceCorruptFrames + " corrupt frames skipped)" : "").append('\n');
        b.append("  reference  ").append(reference).append('\n');
        if (differences.isEmpty()) {
            b.append("no differences\n");
        } else {
            b.append(differences.size()).append(differences.size() == 1 ? " difference:\n" : " differences:\n");
            for (Difference d : differences) {
                b.append("  ").append(d.describe()).append('\n');
            }
        }
        return b.toString();
    }

    public ObjectNode json() {
        ObjectNode n = JSON.createObjectNode().put("scenario", scenario).put("device", device).put("reference", reference)
                .put("steps", steps).put("seconds", took.toMillis() / 1000.0).put("conforms", conforms())
                .put("deviceCorruptFrames", deviceCorruptFrames).put("referenceCorruptFrames", referenceCorruptFrames);
        ArrayNode diffs = n.putArray("differences");
        for (Difference d : differences) {
            diffs.addObject().put("line", d.line()).put("kind", d.kind()).put("subject", d.subject())
                    .put("device", d.device()).put("reference", d.reference());
        }
        return n;
    }
}

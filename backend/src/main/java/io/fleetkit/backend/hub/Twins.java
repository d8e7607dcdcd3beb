package io.fleetkit.backend.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Device twins in memory: desired and reported properties, each with its {@code $version}.
 * Patches follow JSON merge patch (RFC 7386): a null member deletes. Thread-safe per device.
 */
public final class Twins {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<DeviceId, Twin> twins = new ConcurrentHashMap<>();

    /** A snapshot of one twin. */
    public record Snapshot(ObjectNode desired, long desiredVersion, ObjectNode reported, long reportedVersion) {
        /** The body of a twin GET answer: {@code {"desired":{…,"$version":n},"reported":{…,"$version":m}}}. */
        public ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.set("desired", desired.deepCopy().put("$version", desiredVersion));
            o.set("reported", reported.deepCopy().put("$version", reportedVersion));
            return o;
        }
    }

    private static final class Twin {
        final ObjectNode desired = JSON.createObjectNode();
        final ObjectNode reported = JSON.createObjectNode();
        long desiredVersion = 1;
        long reportedVersion = 1;
    }

    public Snapshot get(DeviceId id) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            return new Snapshot(t.desired.deepCopy(), t.desiredVersion, t.reported.deepCopy(), t.reportedVersion);
        }
    }

    /** Applies a patch to the reported properties; returns the new reported version. */
    public long patchReported(DeviceId id, ObjectNode patch) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            merge(t.reported, patch);
            return ++t.reportedVersion;
        }
    }

    /** Applies a patch to the desired properties; returns the new desired version. */
    public long patchDesired(DeviceId id, ObjectNode patch) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            merge(t.desired, patch);
            return ++t.desiredVersion;
        }
    }

    static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                continue; // $version and other metadata are the hub's, not the patch's
            }
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode inner) {
                merge(inner, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}

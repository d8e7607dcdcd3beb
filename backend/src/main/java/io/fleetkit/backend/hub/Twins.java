package io.fleetkit.backend.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;

import java.util.Iterator;
import java.util.Map;

/**
 * Device twins: desired and reported properties, each with its {@code $version}. Patches follow JSON merge patch (RFC 7386):
 * a null member deletes. In memory for one hub process ({@link #inMemory()}); in the store for a cluster, where every node
 * and the backend see the same twin ({@code store.StoreTwins}). Thread-safe.
 */
public interface Twins {
    /** A snapshot of one twin. */
    record Snapshot(ObjectNode desired, long desiredVersion, ObjectNode reported, long reportedVersion) {
        /** The body of a twin GET answer: {@code {"desired":{…,"$version":n},"reported":{…,"$version":m}}}. */
        public ObjectNode toJson() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.set("desired", desired.deepCopy().put("$version", desiredVersion));
            o.set("reported", reported.deepCopy().put("$version", reportedVersion));
            return o;
        }
    }

    /** Twins in this process's memory. */
    static Twins inMemory() {
        return new InMemoryTwins();
    }

    /** Whether its calls block (a database): the gateway then makes them off its event loops. */
    default boolean isBlocking() {
        return false;
    }

    /** The twin of {@code id}; an empty one (versions 1) when it was never patched. */
    Snapshot get(DeviceId id);

    /** Applies a patch to the reported properties; returns the new reported version. */
    long patchReported(DeviceId id, ObjectNode patch);

    /** Applies a patch to the desired properties; returns the new desired version. */
    long patchDesired(DeviceId id, ObjectNode patch);

    /** Merges {@code patch} into {@code target} as JSON merge patch; members starting with {@code $} are the hub's and skipped. */
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

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
    /**
     * A snapshot of one twin. {@code tags} are the back end's own metadata about the device (set through the service API, never
     * sent to the device), each part with its version.
     */
    record Snapshot(ObjectNode desired, long desiredVersion, ObjectNode reported, long reportedVersion, ObjectNode tags, long tagsVersion) {
        /** A twin that was never patched: every part empty, at version 1. */
        public static Snapshot empty() {
            ObjectMapper json = new ObjectMapper();
            return new Snapshot(json.createObjectNode(), 1, json.createObjectNode(), 1, json.createObjectNode(), 1);
        }

        /** The body of a twin GET answer: {@code {"desired":{…,"$version":n},"reported":{…,"$version":m}}}. */
        public ObjectNode toJson() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.set("desired", desired.deepCopy().put("$version", desiredVersion));
            o.set("reported", reported.deepCopy().put("$version", reportedVersion));
            return o;
        }

        /** The twin's version: 1 when new, one more with every change to any part (IoT Hub's twin {@code version}). */
        public long version() {
            return desiredVersion + reportedVersion + tagsVersion - 2;
        }

        /**
         * The twin's etag: changes with its tags and desired properties, which the back end writes, not with what the device
         * reports, as IoT Hub's (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-device-twins#optimistic-concurrency).
         */
        public String etag() {
            return java.util.Base64.getEncoder().encodeToString((desiredVersion + ":" + tagsVersion).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    /** An {@code If-Match} that names another etag than the twin's. */
    final class StaleEtagException extends io.fleetkit.protocol.FleetkitException {
        private static final long serialVersionUID = 1L;

        public StaleEtagException(DeviceId id, String expected, String actual) {
            super(Kind.PRECONDITION_FAILED, "the twin of " + id + " has changed: its etag is " + actual + ", the request's If-Match was " + expected);
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
    default long patchDesired(DeviceId id, ObjectNode patch) {
        return patch(id, null, patch, null).desiredVersion();
    }

    /**
     * Applies patches to the tags and the desired properties in one change, as IoT Hub's twin PATCH does: each part's version
     * moves only when it is patched.
     *
     * @param tags    a merge patch of the tags, or null
     * @param desired a merge patch of the desired properties, or null
     * @param ifEtag  the etag the caller saw ({@code If-Match}), or null for any
     * @return the twin after the patch
     * @throws StaleEtagException when the twin's etag is not {@code ifEtag}
     */
    Snapshot patch(DeviceId id, ObjectNode tags, ObjectNode desired, String ifEtag);

    /** Forgets a twin (its device was removed from the registry). */
    void remove(DeviceId id);

    /** Whether {@code ifEtag} (quoted or not) names the twin's etag. */
    static boolean etagMatches(Snapshot twin, String ifEtag) {
        String e = ifEtag.strip();
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.equals("*") || e.equals(twin.etag());
    }

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

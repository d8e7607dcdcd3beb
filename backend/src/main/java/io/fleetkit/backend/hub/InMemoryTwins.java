package io.fleetkit.backend.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Device twins in this process's memory (a hub without a store; the backend keeps them in the store). Thread-safe per device. */
final class InMemoryTwins implements Twins {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<DeviceId, Twin> twins = new ConcurrentHashMap<>();

    private static final class Twin {
        final ObjectNode desired = JSON.createObjectNode();
        final ObjectNode reported = JSON.createObjectNode();
        final ObjectNode tags = JSON.createObjectNode();
        long desiredVersion = 1;
        long reportedVersion = 1;
        long tagsVersion = 1;

        Snapshot snapshot() {
            return new Snapshot(desired.deepCopy(), desiredVersion, reported.deepCopy(), reportedVersion, tags.deepCopy(), tagsVersion);
        }
    }

    @Override
    public Snapshot get(DeviceId id) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            return t.snapshot();
        }
    }

    @Override
    public long patchReported(DeviceId id, ObjectNode patch) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            Twins.merge(t.reported, patch);
            return ++t.reportedVersion;
        }
    }

    @Override
    public Snapshot patch(DeviceId id, ObjectNode tags, ObjectNode desired, String ifEtag) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            if (ifEtag != null && !Twins.etagMatches(t.snapshot(), ifEtag)) {
                throw new StaleEtagException(id, ifEtag, t.snapshot().etag());
            }
            if (tags != null) {
                Twins.merge(t.tags, tags);
                t.tagsVersion++;
            }
            if (desired != null) {
                Twins.merge(t.desired, desired);
                t.desiredVersion++;
            }
            return t.snapshot();
        }
    }

    @Override
    public void remove(DeviceId id) {
        twins.remove(id);
    }
}

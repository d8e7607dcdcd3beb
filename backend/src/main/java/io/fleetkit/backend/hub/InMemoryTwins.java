package io.fleetkit.backend.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Device twins in this process's memory (one hub process; a cluster keeps them in the store). Thread-safe per device. */
final class InMemoryTwins implements Twins {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<DeviceId, Twin> twins = new ConcurrentHashMap<>();

    private static final class Twin {
        final ObjectNode desired = JSON.createObjectNode();
        final ObjectNode reported = JSON.createObjectNode();
        long desiredVersion = 1;
        long reportedVersion = 1;
    }

    @Override
    public Snapshot get(DeviceId id) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            return new Snapshot(t.desired.deepCopy(), t.desiredVersion, t.reported.deepCopy(), t.reportedVersion);
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
    public long patchDesired(DeviceId id, ObjectNode patch) {
        Twin t = twins.computeIfAbsent(id, k -> new Twin());
        synchronized (t) {
            Twins.merge(t.desired, patch);
            return ++t.desiredVersion;
        }
    }
}

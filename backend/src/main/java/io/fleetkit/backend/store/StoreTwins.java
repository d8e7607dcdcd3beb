package io.fleetkit.backend.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.protocol.id.DeviceId;

import java.sql.SQLException;
import java.util.List;

/**
 * Device twins in the store, for a hub cluster: every node and the backend read and patch the same twin. A patch locks the
 * twin's row for its transaction (read, merge, write), so concurrent patches from several nodes each get their own version.
 * Blocking (JDBC): callers run it off event loops.
 */
public final class StoreTwins implements Twins {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;

    public StoreTwins(Database db) {
        this.db = db;
    }

    @Override
    public boolean isBlocking() {
        return true;
    }

    @Override
    public Snapshot get(DeviceId id) {
        List<Snapshot> rows = Sql.query(db, "read the twin of " + id,
                "SELECT desired, desired_version, reported, reported_version FROM twins WHERE device_id = ?",
                rs -> new Snapshot(object(rs.getString(1)), rs.getLong(2), object(rs.getString(3)), rs.getLong(4)), id.value());
        return rows.isEmpty() ? new Snapshot(JSON.createObjectNode(), 1, JSON.createObjectNode(), 1) : rows.get(0);
    }

    @Override
    public long patchReported(DeviceId id, ObjectNode patch) {
        return patch(id, patch, "reported");
    }

    @Override
    public long patchDesired(DeviceId id, ObjectNode patch) {
        return patch(id, patch, "desired");
    }

    private long patch(DeviceId id, ObjectNode patch, String side) {
        return Sql.transaction(db, "patch the " + side + " properties of " + id, c -> {
            Sql.update(c, "INSERT INTO twins (device_id, desired, desired_version, reported, reported_version) VALUES (?, '{}', 1, '{}', 1) "
                    + "ON CONFLICT DO NOTHING", id.value());
            record Side(String json, long version) {
            }
            Side current = Sql.query(c, "SELECT " + side + ", " + side + "_version FROM twins WHERE device_id = ? FOR UPDATE",
                    rs -> new Side(rs.getString(1), rs.getLong(2)), id.value()).get(0);
            ObjectNode merged = object(current.json());
            Twins.merge(merged, patch);
            long version = current.version() + 1;
            Sql.update(c, "UPDATE twins SET " + side + " = ?, " + side + "_version = ? WHERE device_id = ?", json(merged), version, id.value());
            return version;
        });
    }

    private static ObjectNode object(String json) throws SQLException {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new SQLException("a stored twin is not a JSON object: " + e.getMessage(), e);
        }
    }

    private static String json(ObjectNode o) {
        return o.toString();
    }
}

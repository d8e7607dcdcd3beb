package io.fleetkit.backend.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.protocol.id.DeviceId;

import java.sql.SQLException;
import java.util.List;

/**
 * Device twins in the store: they survive a restart, and in a hub cluster every node and the backend read and patch the same twin. A patch locks the
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

    private static final String COLUMNS = "SELECT desired, desired_version, reported, reported_version, tags, tags_version FROM twins ";

    private static Snapshot snapshot(java.sql.ResultSet rs) throws SQLException {
        return new Snapshot(object(rs.getString(1)), rs.getLong(2), object(rs.getString(3)), rs.getLong(4), object(rs.getString(5)), rs.getLong(6));
    }

    @Override
    public Snapshot get(DeviceId id) {
        List<Snapshot> rows = Sql.query(db, "read the twin of " + id, COLUMNS + "WHERE device_id = ?", StoreTwins::snapshot, id.value());
        return rows.isEmpty() ? Snapshot.empty() : rows.get(0);
    }

    @Override
    public long patchReported(DeviceId id, ObjectNode patch) {
        return Sql.transaction(db, "patch the reported properties of " + id, c -> {
            Snapshot current = locked(c, id);
            ObjectNode merged = current.reported();
            Twins.merge(merged, patch);
            long version = current.reportedVersion() + 1;
            Sql.update(c, "UPDATE twins SET reported = ?, reported_version = ? WHERE device_id = ?", json(merged), version, id.value());
            return version;
        });
    }

    @Override
    public Snapshot patch(DeviceId id, ObjectNode tags, ObjectNode desired, String ifEtag) {
        return Sql.transaction(db, "patch the twin of " + id, c -> {
            Snapshot current = locked(c, id);
            if (ifEtag != null && !Twins.etagMatches(current, ifEtag)) {
                throw new StaleEtagException(id, ifEtag, current.etag());
            }
            ObjectNode newTags = current.tags();
            ObjectNode newDesired = current.desired();
            long tagsVersion = current.tagsVersion();
            long desiredVersion = current.desiredVersion();
            if (tags != null) {
                Twins.merge(newTags, tags);
                tagsVersion++;
            }
            if (desired != null) {
                Twins.merge(newDesired, desired);
                desiredVersion++;
            }
            Sql.update(c, "UPDATE twins SET tags = ?, tags_version = ?, desired = ?, desired_version = ? WHERE device_id = ?",
                    json(newTags), tagsVersion, json(newDesired), desiredVersion, id.value());
            return new Snapshot(newDesired, desiredVersion, current.reported(), current.reportedVersion(), newTags, tagsVersion);
        });
    }

    /** The twin's row, made if new, locked for the transaction (read, merge, write). */
    private static Snapshot locked(java.sql.Connection c, DeviceId id) throws SQLException {
        Sql.update(c, "INSERT INTO twins (device_id, desired, desired_version, reported, reported_version, tags, tags_version) "
                + "VALUES (?, '{}', 1, '{}', 1, '{}', 1) ON CONFLICT DO NOTHING", id.value());
        return Sql.query(c, COLUMNS + "WHERE device_id = ? FOR UPDATE", StoreTwins::snapshot, id.value()).get(0);
    }

    @Override
    public void remove(DeviceId id) {
        Sql.update(db, "remove the twin of " + id, "DELETE FROM twins WHERE device_id = ?", id.value());
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

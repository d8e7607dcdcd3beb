package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the backend knows about each device: model, firmware, last boot (from lifecycle
 * messages), online state and last activity (from the hub). Upserts are SQL MERGE, which both
 * H2 and PostgreSQL (15+) run; an older boot than the stored one never overwrites it, so a
 * redelivery cannot roll the state back. The owner is set by a granted ownership claim.
 */
public final class DeviceStateStore {
    private static final String BOOT = """
            MERGE INTO devices d
            USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)), CAST(? AS VARCHAR(64)),
                           CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS VARCHAR(32))))
                  AS v(device_id, model_id, firmware_version, last_boot, reset_reason)
            ON d.device_id = v.device_id
            WHEN MATCHED AND (d.last_boot IS NULL OR d.last_boot <= v.last_boot) THEN
                UPDATE SET model_id = v.model_id, firmware_version = v.firmware_version,
                           last_boot = v.last_boot, reset_reason = v.reset_reason
            WHEN NOT MATCHED THEN
                INSERT (device_id, model_id, firmware_version, last_boot, reset_reason)
                VALUES (v.device_id, v.model_id, v.firmware_version, v.last_boot, v.reset_reason)
            """;
    private static final String PRESENCE = """
            MERGE INTO devices d
            USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS BOOLEAN), CAST(? AS TIMESTAMP WITH TIME ZONE)))
                  AS v(device_id, online, last_seen)
            ON d.device_id = v.device_id
            WHEN MATCHED AND (d.last_seen IS NULL OR d.last_seen <= v.last_seen) THEN
                UPDATE SET online = v.online, last_seen = v.last_seen
            WHEN NOT MATCHED THEN
                INSERT (device_id, online, last_seen) VALUES (v.device_id, v.online, v.last_seen)
            """;
    private static final String OWNER = """
            MERGE INTO devices d
            USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)))) AS v(device_id, owner_id)
            ON d.device_id = v.device_id
            WHEN MATCHED THEN UPDATE SET owner_id = v.owner_id
            WHEN NOT MATCHED THEN INSERT (device_id, owner_id) VALUES (v.device_id, v.owner_id)
            """;
    private static final String MODEL = """
            MERGE INTO devices d
            USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)))) AS v(device_id, model_id)
            ON d.device_id = v.device_id
            WHEN MATCHED THEN UPDATE SET model_id = v.model_id
            WHEN NOT MATCHED THEN INSERT (device_id, model_id) VALUES (v.device_id, v.model_id)
            """;
    private static final String COLUMNS = "device_id, model_id, firmware_version, last_boot, reset_reason, online, last_seen, owner_id";

    private final Database db;

    /** A device's state; fields the backend has not heard yet are empty. */
    public record DeviceState(DeviceId deviceId, Optional<String> modelId, Optional<String> firmwareVersion,
                              Optional<Instant> lastBoot, Optional<String> resetReason, boolean online,
                              Optional<Instant> lastSeen, Optional<String> ownerId) {
    }

    public DeviceStateStore(Database db) {
        this.db = db;
    }

    /**
     * Boots, presence and model ids gathered from a batch of messages, to {@link #apply} in one transaction with the
     * consumer's position. Not thread-safe: one per partition worker.
     */
    public static final class Changes {
        private final List<Sql.Change> changes = new ArrayList<>();

        /** A boot: the firmware and model it reported, when, and why it reset. */
        public Changes boot(DeviceId deviceId, String modelId, String firmwareVersion, Instant bootTime, String resetReason) {
            changes.add(new Sql.Change(BOOT, deviceId.value(), modelId, firmwareVersion, Sql.utc(bootTime), resetReason));
            return this;
        }

        /** The device going online or offline at {@code at}. */
        public Changes presence(DeviceId deviceId, boolean online, Instant at) {
            changes.add(new Sql.Change(PRESENCE, deviceId.value(), online, Sql.utc(at)));
            return this;
        }

        /** The model id a device announced when it connected (IoT Plug and Play's {@code model-id}). */
        public Changes modelId(DeviceId deviceId, String modelId) {
            changes.add(new Sql.Change(MODEL, deviceId.value(), modelId));
            return this;
        }

        public int size() {
            return changes.size();
        }

        public void clear() {
            changes.clear();
        }
    }

    /**
     * Writes the changes and the consumer's position after them (null: none) in one transaction.
     *
     * @throws StoreException when they could not be written (then none of them is, nor the position)
     */
    public void apply(Changes changes, ConsumerOffsets.Position upTo) {
        Sql.inTransaction(db, "record the state of " + changes.size() + " devices", changes.changes, upTo);
    }

    /** Records a boot: the firmware and model it reported, when, and why it reset. */
    public void recordBoot(DeviceId deviceId, String modelId, String firmwareVersion, Instant bootTime, String resetReason) {
        apply(new Changes().boot(deviceId, modelId, firmwareVersion, bootTime, resetReason), null);
    }

    /** Records the model id a device announced when it connected (IoT Plug and Play's {@code model-id}). */
    public void recordModelId(DeviceId deviceId, String modelId) {
        apply(new Changes().modelId(deviceId, modelId), null);
    }

    /** Records the device going online or offline at {@code at}. */
    public void recordPresence(DeviceId deviceId, boolean online, Instant at) {
        apply(new Changes().presence(deviceId, online, at), null);
    }

    public Optional<DeviceState> get(DeviceId deviceId) {
        return select("SELECT " + COLUMNS + " FROM devices WHERE device_id = ?", deviceId.value()).stream().findFirst();
    }

    /** How many devices the backend knows. */
    public long count() {
        return Sql.query(db, "count devices", "SELECT COUNT(*) FROM devices", rs -> rs.getLong(1)).get(0);
    }

    /** All devices, by id, from {@code afterId} (exclusive; null for the start), at most {@code limit}. */
    public List<DeviceState> list(String afterId, int limit) {
        return list(afterId, null, limit);
    }

    /** Like {@link #list(String, int)}, only devices whose id contains {@code idContains} (null: all). */
    public List<DeviceState> list(String afterId, String idContains, int limit) {
        return select("SELECT " + COLUMNS + " FROM devices WHERE device_id > ? AND device_id LIKE ? ESCAPE '!' ORDER BY device_id LIMIT ?",
                afterId == null ? "" : afterId, likeContaining(idContains), limit);
    }

    /** The devices {@code ownerId} owns, by id, from {@code afterId} (exclusive; null for the start). */
    public List<DeviceState> listOwnedBy(String ownerId, String afterId, int limit) {
        return listOwnedBy(ownerId, afterId, null, limit);
    }

    /** Like {@link #listOwnedBy(String, String, int)}, only devices whose id contains {@code idContains} (null: all). */
    public List<DeviceState> listOwnedBy(String ownerId, String afterId, String idContains, int limit) {
        return select("SELECT " + COLUMNS + " FROM devices WHERE owner_id = ? AND device_id > ? AND device_id LIKE ? ESCAPE '!'"
                + " ORDER BY device_id LIMIT ?", ownerId, afterId == null ? "" : afterId, likeContaining(idContains), limit);
    }

    /** A LIKE pattern matching ids that contain {@code text} literally ('%', '_' and '!' in it are escaped). */
    private static String likeContaining(String text) {
        return text == null ? "%" : "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    /** Makes {@code ownerId} the device's owner (creating the row if the backend has not heard of it yet). */
    public void setOwner(DeviceId deviceId, String ownerId) {
        Sql.update(db, "record the owner of " + deviceId, OWNER, deviceId.value(), ownerId);
    }

    /** Releases the device; true when it had an owner. */
    public boolean clearOwner(DeviceId deviceId) {
        return Sql.update(db, "release " + deviceId, "UPDATE devices SET owner_id = NULL WHERE device_id = ? AND owner_id IS NOT NULL",
                deviceId.value()) > 0;
    }

    /** Releases every device {@code ownerId} owns; how many. */
    public int clearOwnerEverywhere(String ownerId) {
        return Sql.update(db, "release the devices of a user", "UPDATE devices SET owner_id = NULL WHERE owner_id = ?", ownerId);
    }

    private List<DeviceState> select(String sql, Object... args) {
        return Sql.query(db, "read devices", sql, rs -> new DeviceState(DeviceId.of(rs.getString(1)), Optional.ofNullable(rs.getString(2)),
                Optional.ofNullable(rs.getString(3)), Sql.instant(rs, 4), Optional.ofNullable(rs.getString(5)),
                rs.getBoolean(6), Sql.instant(rs, 7), Optional.ofNullable(rs.getString(8))), args);
    }
}

package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Telemetry rows: written in batches, one transaction per batch, idempotent on
 * (device id, sequence number) so a redelivered message changes nothing.
 */
public final class TelemetryStore {
    private static final String INSERT = "INSERT INTO telemetry (device_id, seq, device_time, enqueued, readings) "
            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String QUERY = "SELECT device_id, seq, device_time, enqueued, readings FROM telemetry "
            + "WHERE device_id = ? AND (device_time > ? OR (device_time = ? AND seq > ?)) AND device_time < ? "
            + "ORDER BY device_time, seq LIMIT ?";

    private final Database db;

    /** One stored telemetry message; {@code readings} is the message's readings object as JSON. */
    public record Row(DeviceId deviceId, long seq, Instant deviceTime, Instant enqueued, String readings) {
        public Row {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(deviceTime, "deviceTime");
            Objects.requireNonNull(enqueued, "enqueued");
            Objects.requireNonNull(readings, "readings");
        }
    }

    public TelemetryStore(Database db) {
        this.db = db;
    }

    /**
     * Stores the rows in one transaction; rows already stored (same device and sequence number)
     * are skipped. Returns how many were new.
     *
     * @throws StoreException when the batch could not be stored (then none of it is)
     */
    public int insert(List<Row> rows) {
        return rows.isEmpty() ? 0 : insert(rows, null);
    }

    /**
     * Stores the rows and the consumer's position after them in one transaction (see {@link ConsumerOffsets}); rows already
     * stored are skipped. Returns how many were new.
     *
     * @param upTo the position to save with them; null to save none
     * @throws StoreException when the batch could not be stored (then none of it is, nor the position)
     */
    public int insert(List<Row> rows, ConsumerOffsets.Position upTo) {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (Row r : rows) {
                    ps.setString(1, r.deviceId().value());
                    ps.setLong(2, r.seq());
                    ps.setObject(3, utc(r.deviceTime()));
                    ps.setObject(4, utc(r.enqueued()));
                    ps.setString(5, r.readings());
                    ps.addBatch();
                }
                int inserted = 0;
                if (!rows.isEmpty()) {
                    for (int n : ps.executeBatch()) {
                        inserted += Math.max(n, 0);
                    }
                }
                if (upTo != null) {
                    ConsumerOffsets.save(c, upTo);
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store " + rows.size() + " telemetry rows: " + Database.rootMessage(e), e);
        }
    }

    /** A device's telemetry with device time in [from, to), oldest first (by time, then sequence number), at most {@code limit} rows. */
    public List<Row> query(DeviceId deviceId, Instant from, Instant to, int limit) {
        return query(deviceId, from, Long.MIN_VALUE, to, limit);
    }

    /**
     * The page after a previous one: rows at {@code from} only when their sequence number is
     * above {@code afterSeq} (the last row seen), so rows sharing a timestamp are neither
     * skipped nor repeated.
     */
    public List<Row> query(DeviceId deviceId, Instant from, long afterSeq, Instant to, int limit) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setString(1, deviceId.value());
            ps.setObject(2, utc(from));
            ps.setObject(3, utc(from));
            ps.setLong(4, afterSeq);
            ps.setObject(5, utc(to));
            ps.setInt(6, limit);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(DeviceId.of(rs.getString(1)), rs.getLong(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read telemetry of " + deviceId + ": " + Database.rootMessage(e), e);
        }
    }

    /** How many telemetry rows there are, over every device. */
    public long countAll() {
        return Sql.query(db, "count telemetry", "SELECT COUNT(*) FROM telemetry", rs -> rs.getLong(1)).get(0);
    }

    /** How many telemetry rows a device has. */
    public long count(DeviceId deviceId) {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM telemetry WHERE device_id = ?")) {
            ps.setString(1, deviceId.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count telemetry of " + deviceId + ": " + Database.rootMessage(e), e);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}

package io.fleetkit.backend.store;

import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.protocol.id.DeviceId;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cloud-to-device queues in the store, for a hub cluster: a message sent through any node or the backend waits for its
 * device wherever it connects, and survives the node that delivered it. Every change to a device's queue locks the device's
 * {@code c2d_queues} row first, so the limit of 50 holds across nodes. Blocking (JDBC): the gateway calls it off its event
 * loops ({@link #isBlocking()}).
 */
public final class StoreCloudToDeviceQueue implements CloudToDeviceQueue {
    private final Database db;
    private final Options options;
    private final Clock clock;
    private final LongAdder completed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();

    public StoreCloudToDeviceQueue(Database db, Options options, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public boolean isBlocking() {
        return true;
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public void enqueue(DeviceId device, String messageId, String topic, byte[] body, Duration ttl) {
        Duration live = CloudToDeviceQueue.check(options, body, ttl);
        Instant now = clock.instant();
        int dropped = Sql.transaction(db, "queue a cloud-to-device message for " + device, c -> {
            Sql.update(c, "INSERT INTO c2d_queues (device_id) VALUES (?) ON CONFLICT DO NOTHING", device.value());
            lock(c, device);
            int gone = dropExpired(c, device, now);
            long depth = Sql.query(c, "SELECT COUNT(*) FROM c2d_messages WHERE device_id = ?", rs -> rs.getLong(1), device.value()).get(0);
            if (depth >= MAX_QUEUED) {
                throw new QueueFullException(device);
            }
            Sql.update(c, "INSERT INTO c2d_messages (device_id, message_id, topic, body, expires, deliveries) VALUES (?, ?, ?, ?, ?, 0)",
                    device.value(), messageId, topic, body.clone(), Sql.utc(now.plus(live)));
            return gone;
        });
        expired.add(dropped);
    }

    @Override
    public List<Delivery> takeDeliverable(DeviceId device, String connection) {
        Instant now = clock.instant();
        int[] counted = new int[2]; // expired, dead-lettered: added once the transaction commits
        List<Delivery> taken = Sql.transaction(db, "take the cloud-to-device messages of " + device, c -> {
            counted[0] = counted[1] = 0;
            if (!lock(c, device)) {
                return List.of();
            }
            counted[0] = dropExpired(c, device, now);
            record Row(String messageId, String topic, byte[] body, int deliveries, Instant lockedUntil) {
            }
            List<Row> rows = Sql.query(c, "SELECT message_id, topic, body, deliveries, locked_until FROM c2d_messages WHERE device_id = ? "
                    + "ORDER BY queued_no", rs -> new Row(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getInt(4),
                    Sql.instant(rs, 5).orElse(null)), device.value());
            List<Delivery> out = new ArrayList<>();
            Instant lockedUntil = now.plus(options.lockTimeout());
            for (Row r : rows) {
                if (r.lockedUntil() != null && r.lockedUntil().isAfter(now)) {
                    continue;
                }
                if (r.deliveries() >= options.maxDeliveryCount()) {
                    Sql.update(c, "DELETE FROM c2d_messages WHERE device_id = ? AND message_id = ?", device.value(), r.messageId());
                    counted[1]++;
                    continue;
                }
                Sql.update(c, "UPDATE c2d_messages SET deliveries = ?, locked_until = ?, locked_by = ? WHERE device_id = ? AND message_id = ?",
                        r.deliveries() + 1, Sql.utc(lockedUntil), connection, device.value(), r.messageId());
                out.add(new Delivery(r.messageId(), r.topic(), r.body(), r.deliveries() + 1, lockedUntil));
            }
            return out;
        });
        expired.add(counted[0]);
        deadLettered.add(counted[1]);
        return taken;
    }

    @Override
    public boolean complete(DeviceId device, String messageId) {
        boolean done = Sql.update(db, "complete cloud-to-device message " + messageId,
                "DELETE FROM c2d_messages WHERE device_id = ? AND message_id = ?", device.value(), messageId) > 0;
        if (done) {
            completed.increment();
        }
        return done;
    }

    @Override
    public void unlock(DeviceId device, String connection) {
        Sql.update(db, "unlock the cloud-to-device messages of " + device,
                "UPDATE c2d_messages SET locked_until = NULL, locked_by = NULL WHERE device_id = ? AND locked_by = ?", device.value(), connection);
    }

    @Override
    public Optional<Duration> untilNextLockExpiry(DeviceId device) {
        Instant now = clock.instant();
        List<Optional<Instant>> next = Sql.query(db, "read the locks of " + device,
                "SELECT MIN(locked_until) FROM c2d_messages WHERE device_id = ? AND locked_until IS NOT NULL", rs -> Sql.instant(rs, 1),
                device.value());
        return next.get(0).map(at -> at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    }

    @Override
    public int depth(DeviceId device) {
        return Sql.query(db, "count the cloud-to-device messages of " + device, "SELECT COUNT(*) FROM c2d_messages WHERE device_id = ?",
                rs -> rs.getInt(1), device.value()).get(0);
    }

    @Override
    public int purge(DeviceId device) {
        return Sql.transaction(db, "drop the cloud-to-device messages of " + device, c -> {
            int n = Sql.update(c, "DELETE FROM c2d_messages WHERE device_id = ?", device.value());
            Sql.update(c, "DELETE FROM c2d_queues WHERE device_id = ?", device.value());
            return n;
        });
    }

    @Override
    public long completed() {
        return completed.sum();
    }

    @Override
    public long expired() {
        return expired.sum();
    }

    @Override
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Locks the device's queue for this transaction; false when it never had one. */
    private static boolean lock(Connection c, DeviceId device) throws SQLException {
        return !Sql.query(c, "SELECT device_id FROM c2d_queues WHERE device_id = ? FOR UPDATE", rs -> rs.getString(1), device.value()).isEmpty();
    }

    private static int dropExpired(Connection c, DeviceId device, Instant now) throws SQLException {
        return Sql.update(c, "DELETE FROM c2d_messages WHERE device_id = ? AND expires <= ?", device.value(), Sql.utc(now));
    }
}

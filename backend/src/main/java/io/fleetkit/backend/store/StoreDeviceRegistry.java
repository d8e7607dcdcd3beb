package io.fleetkit.backend.store;

import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The device registry kept in the store, so registrations survive a restart. Reads come from
 * memory (the hub asks on every CONNECT); registrations and status changes are written through
 * before they take effect. Connection state and activity are not stored: they change with every
 * publish, and after a restart every device is disconnected anyway.
 */
public final class StoreDeviceRegistry implements DeviceRegistry {
    private final Database db;
    private final InMemoryDeviceRegistry cache = new InMemoryDeviceRegistry();

    /** Loads every registered device. */
    public StoreDeviceRegistry(Database db) {
        this.db = db;
        record Row(DeviceId id, DeviceStatus status, Authentication authentication, Instant created) {
        }
        List<Row> rows = Sql.query(db, "load the device registry", "SELECT device_id, status, authentication, created FROM registry",
                rs -> new Row(DeviceId.of(rs.getString(1)), DeviceStatus.valueOf(rs.getString(2)),
                        Authentication.valueOf(rs.getString(3)), Sql.instant(rs, 4).orElseThrow()));
        for (Row r : rows) {
            cache.createIfAbsent(r.id(), r.authentication(), r.created());
            if (r.status() != DeviceStatus.ENABLED) {
                cache.setStatus(r.id(), r.status());
            }
        }
    }

    @Override
    public Optional<Device> find(DeviceId id) {
        return cache.find(id);
    }

    @Override
    public Device createIfAbsent(DeviceId id, Authentication authentication, Instant now) {
        Optional<Device> known = cache.find(id);
        if (known.isPresent()) {
            return known.get();
        }
        Sql.update(db, "register device " + id,
                "INSERT INTO registry (device_id, status, authentication, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                id.value(), DeviceStatus.ENABLED.name(), authentication.name(), Sql.utc(now));
        return cache.createIfAbsent(id, authentication, now);
    }

    @Override
    public Device setStatus(DeviceId id, DeviceStatus status) {
        if (cache.find(id).isEmpty()) {
            throw new NoSuchElementException("no device '" + id + "' in the registry");
        }
        Sql.update(db, "set the status of " + id, "UPDATE registry SET status = ? WHERE device_id = ?", status.name(), id.value());
        return cache.setStatus(id, status);
    }

    @Override
    public void connected(DeviceId id, Instant at) {
        cache.connected(id, at);
    }

    @Override
    public void disconnected(DeviceId id, Instant at) {
        cache.disconnected(id, at);
    }

    @Override
    public void activity(DeviceId id, Instant at) {
        cache.activity(id, at);
    }

    @Override
    public List<Device> list(int offset, int limit) {
        return cache.list(offset, limit);
    }

    @Override
    public int count() {
        return cache.count();
    }
}

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
    /** Other processes (the nodes of a cluster) register devices and change their status too: read the store, not the cache. */
    private final boolean shared;

    private record Row(DeviceId id, DeviceStatus status, Authentication authentication, Instant created) {
    }

    private static final String COLUMNS = "SELECT device_id, status, authentication, created FROM registry ";

    /** Loads every registered device; this process is the only one that changes the registry. */
    public StoreDeviceRegistry(Database db) {
        this(db, false);
    }

    private StoreDeviceRegistry(Database db, boolean shared) {
        this.db = db;
        this.shared = shared;
        if (!shared) {
            rows("load the device registry", "").forEach(this::cache);
        }
    }

    /**
     * The registry of a hub cluster: every node registers devices and reads them from the store (a device registered through
     * DPS on one node connects on another); only connection state and activity stay in the process's memory.
     */
    public static StoreDeviceRegistry shared(Database db) {
        return new StoreDeviceRegistry(db, true);
    }

    private List<Row> rows(String what, String where, Object... args) {
        return Sql.query(db, what, COLUMNS + where, rs -> new Row(DeviceId.of(rs.getString(1)), DeviceStatus.valueOf(rs.getString(2)),
                Authentication.valueOf(rs.getString(3)), Sql.instant(rs, 4).orElseThrow()), args);
    }

    private Device cache(Row r) {
        cache.createIfAbsent(r.id(), r.authentication(), r.created());
        return r.status() != cache.find(r.id()).orElseThrow().status() ? cache.setStatus(r.id(), r.status()) : cache.find(r.id()).orElseThrow();
    }

    @Override
    public Optional<Device> find(DeviceId id) {
        if (shared) {
            return rows("read device " + id, "WHERE device_id = ?", id.value()).stream().findFirst().map(this::cache);
        }
        return cache.find(id);
    }

    @Override
    public Device createIfAbsent(DeviceId id, Authentication authentication, Instant now) {
        Optional<Device> known = cache.find(id);
        if (known.isPresent() && !shared) {
            return known.get();
        }
        Sql.update(db, "register device " + id,
                "INSERT INTO registry (device_id, status, authentication, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                id.value(), DeviceStatus.ENABLED.name(), authentication.name(), Sql.utc(now));
        return cache.createIfAbsent(id, authentication, now);
    }

    @Override
    public Device setStatus(DeviceId id, DeviceStatus status) {
        if (find(id).isEmpty()) {
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
        if (shared) {
            return rows("list the device registry", "ORDER BY device_id OFFSET ? LIMIT ?", offset, limit).stream().map(this::cache).toList();
        }
        return cache.list(offset, limit);
    }

    @Override
    public int count() {
        if (shared) {
            return Sql.query(db, "count the device registry", "SELECT COUNT(*) FROM registry", rs -> rs.getInt(1)).get(0);
        }
        return cache.count();
    }
}

package io.fleetkit.backend.store;

import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.ConnectionState;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.backend.registry.Thumbprints;
import io.fleetkit.protocol.id.DeviceId;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The device registry kept in the store, so registrations survive a restart. Reads come from
 * memory (the hub asks on every CONNECT); registrations and changes are written through
 * before they take effect. Connection state and activity are not stored: they change with every
 * publish, and after a restart every device is disconnected anyway.
 */
public final class StoreDeviceRegistry implements DeviceRegistry {
    private final Database db;
    private final InMemoryDeviceRegistry cache = new InMemoryDeviceRegistry();
    /** Other processes (the nodes of a cluster) register devices and change their status too: read the store, not the cache. */
    private final boolean shared;

    private static final String COLUMNS = "SELECT device_id, status, authentication, created, primary_thumbprint, secondary_thumbprint, version "
            + "FROM registry ";

    /** Loads every registered device; this process is the only one that changes the registry. */
    public StoreDeviceRegistry(Database db) {
        this(db, false);
    }

    private StoreDeviceRegistry(Database db, boolean shared) {
        this.db = db;
        this.shared = shared;
        if (!shared) {
            Sql.query(db, "load the device registry", COLUMNS, StoreDeviceRegistry::device).forEach(this::cache);
        }
    }

    /**
     * The registry of a hub cluster: every node registers devices and reads them from the store (a device registered through
     * DPS on one node connects on another); only connection state and activity stay in the process's memory.
     */
    public static StoreDeviceRegistry shared(Database db) {
        return new StoreDeviceRegistry(db, true);
    }

    private static Device device(ResultSet rs) throws SQLException {
        String primary = rs.getString(5);
        Instant created = Sql.instant(rs, 4).orElseThrow();
        return new Device(DeviceId.of(rs.getString(1)), DeviceStatus.valueOf(rs.getString(2)), Authentication.valueOf(rs.getString(3)),
                primary == null ? null : new Thumbprints(primary, rs.getString(6)), created, rs.getLong(7), ConnectionState.DISCONNECTED, created);
    }

    /** The stored identity, with the connection state and activity this process knows. */
    private Device cache(Device stored) {
        Optional<Device> known = cache.find(stored.id());
        return cache.put(known.map(k -> new Device(stored.id(), stored.status(), stored.authentication(), stored.thumbprints(), stored.created(),
                stored.version(), k.connectionState(), k.lastActivity())).orElse(stored));
    }

    @Override
    public Optional<Device> find(DeviceId id) {
        if (shared) {
            return Sql.query(db, "read device " + id, COLUMNS + "WHERE device_id = ?", StoreDeviceRegistry::device, id.value())
                    .stream().findFirst().map(this::cache);
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
                "INSERT INTO registry (device_id, status, authentication, created, version) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                id.value(), DeviceStatus.ENABLED.name(), authentication.name(), Sql.utc(now));
        return shared ? find(id).orElseThrow() : cache.createIfAbsent(id, authentication, now);
    }

    @Override
    public Device add(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, Instant now) {
        int added = Sql.update(db, "add device " + id,
                "INSERT INTO registry (device_id, status, authentication, created, primary_thumbprint, secondary_thumbprint, version) "
                        + "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                id.value(), status.name(), authentication.name(), Sql.utc(now),
                thumbprints == null ? null : thumbprints.primary(), thumbprints == null ? null : thumbprints.secondary());
        if (added == 0) {
            throw DeviceRegistry.exists(id);
        }
        return cache.put(new Device(id, status, authentication, thumbprints, now, 1, ConnectionState.DISCONNECTED, now));
    }

    @Override
    public Device update(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, long ifVersion) {
        Device updated = Sql.transaction(db, "update device " + id, c -> {
            Device current = locked(c, id).orElseThrow(() -> DeviceRegistry.notFound(id));
            DeviceRegistry.checkVersion(current, ifVersion);
            Device next = current.updated(status, authentication, thumbprints);
            Sql.update(c, "UPDATE registry SET status = ?, authentication = ?, primary_thumbprint = ?, secondary_thumbprint = ?, version = ? "
                            + "WHERE device_id = ?", status.name(), authentication.name(),
                    thumbprints == null ? null : thumbprints.primary(), thumbprints == null ? null : thumbprints.secondary(), next.version(), id.value());
            return next;
        });
        return cache(updated);
    }

    @Override
    public Optional<Device> remove(DeviceId id, long ifVersion) {
        Optional<Device> removed = Sql.transaction(db, "remove device " + id, c -> {
            Optional<Device> current = locked(c, id);
            if (current.isPresent()) {
                DeviceRegistry.checkVersion(current.get(), ifVersion);
                Sql.update(c, "DELETE FROM registry WHERE device_id = ?", id.value());
            }
            return current;
        });
        cache.remove(id, ANY_VERSION);
        return removed;
    }

    private static Optional<Device> locked(Connection c, DeviceId id) throws SQLException {
        return Sql.query(c, COLUMNS + "WHERE device_id = ? FOR UPDATE", StoreDeviceRegistry::device, id.value()).stream().findFirst();
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
            return Sql.query(db, "list the device registry", COLUMNS + "ORDER BY device_id OFFSET ? LIMIT ?", StoreDeviceRegistry::device, offset, limit)
                    .stream().map(this::cache).toList();
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

package io.fleetkit.backend.registry;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;

/** The registry in memory: the default of a bare {@code EmbeddedHub}; the backend keeps it in the store ({@code StoreDeviceRegistry}). Thread-safe. */
public final class InMemoryDeviceRegistry implements DeviceRegistry {
    private final ConcurrentSkipListMap<DeviceId, Device> devices = new ConcurrentSkipListMap<>();

    @Override
    public Optional<Device> find(DeviceId id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public Device createIfAbsent(DeviceId id, Authentication authentication, Instant now) {
        return devices.computeIfAbsent(id, k -> Device.registered(k, authentication, now));
    }

    @Override
    public Device add(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, Instant now) {
        Device d = new Device(id, status, authentication, thumbprints, now, 1, ConnectionState.DISCONNECTED, now);
        if (devices.putIfAbsent(id, d) != null) {
            throw DeviceRegistry.exists(id);
        }
        return d;
    }

    /** Keeps a device as the store read it (its version and time of creation included). */
    public Device put(Device d) {
        devices.put(d.id(), d);
        return d;
    }

    @Override
    public Device update(DeviceId id, DeviceStatus status, Authentication authentication, Thumbprints thumbprints, long ifVersion) {
        Device d = devices.computeIfPresent(id, (k, v) -> {
            DeviceRegistry.checkVersion(v, ifVersion);
            return v.updated(status, authentication, thumbprints);
        });
        if (d == null) {
            throw DeviceRegistry.notFound(id);
        }
        return d;
    }

    @Override
    public Optional<Device> remove(DeviceId id, long ifVersion) {
        AtomicReference<Device> removed = new AtomicReference<>();
        devices.computeIfPresent(id, (k, v) -> {
            DeviceRegistry.checkVersion(v, ifVersion);
            removed.set(v);
            return null;
        });
        return Optional.ofNullable(removed.get());
    }

    @Override
    public void connected(DeviceId id, Instant at) {
        devices.computeIfPresent(id, (k, v) -> v.with(ConnectionState.CONNECTED, at));
    }

    @Override
    public void disconnected(DeviceId id, Instant at) {
        devices.computeIfPresent(id, (k, v) -> v.with(ConnectionState.DISCONNECTED, at));
    }

    @Override
    public void activity(DeviceId id, Instant at) {
        devices.computeIfPresent(id, (k, v) -> v.active(at));
    }

    @Override
    public List<Device> list(int offset, int limit) {
        return devices.values().stream().skip(offset).limit(limit).toList();
    }

    @Override
    public int count() {
        return devices.size();
    }
}

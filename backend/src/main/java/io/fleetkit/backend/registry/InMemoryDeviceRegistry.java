package io.fleetkit.backend.registry;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** The registry in memory: the default of a bare {@code EmbeddedHub}; the backend keeps it in the store ({@code StoreDeviceRegistry}). Thread-safe. */
public final class InMemoryDeviceRegistry implements DeviceRegistry {
    private final ConcurrentSkipListMap<DeviceId, Device> devices = new ConcurrentSkipListMap<>();

    @Override
    public Optional<Device> find(DeviceId id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public Device createIfAbsent(DeviceId id, Authentication authentication, Instant now) {
        return devices.computeIfAbsent(id,
                k -> new Device(k, DeviceStatus.ENABLED, authentication, now, ConnectionState.DISCONNECTED, now));
    }

    @Override
    public Device setStatus(DeviceId id, DeviceStatus status) {
        Device d = devices.computeIfPresent(id, (k, v) -> v.with(status));
        if (d == null) {
            throw new NoSuchElementException("no device '" + id + "' in the registry");
        }
        return d;
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

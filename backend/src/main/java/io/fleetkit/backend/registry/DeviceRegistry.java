package io.fleetkit.backend.registry;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The hub's device identities. Implementations are thread-safe; calls may block (a JDBC
 * implementation arrives with the storage issue), so callers run them off the event loop.
 */
public interface DeviceRegistry {

    Optional<Device> find(DeviceId id);

    /** Creates an enabled device, or returns the existing one unchanged (DPS re-registration). */
    Device createIfAbsent(DeviceId id, Authentication authentication, Instant now);

    /** @throws java.util.NoSuchElementException when there is no such device */
    Device setStatus(DeviceId id, DeviceStatus status);

    void connected(DeviceId id, Instant at);

    void disconnected(DeviceId id, Instant at);

    /** Records activity (a publish, a ping) without changing the connection state. */
    void activity(DeviceId id, Instant at);

    /** Devices ordered by id, from {@code offset}, at most {@code limit}. */
    List<Device> list(int offset, int limit);

    int count();
}

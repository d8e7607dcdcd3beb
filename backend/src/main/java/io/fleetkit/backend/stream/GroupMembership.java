package io.fleetkit.backend.stream;

import io.fleetkit.backend.health.Health;

import java.util.Set;

/**
 * This process's seat in a consumer group of a stream ({@link Stream#join}): which of the stream's partitions it owns now.
 * Closing it gives them back, revoked (and their checkpoints committed) first.
 */
public interface GroupMembership extends AutoCloseable {

    /** The partitions owned now. */
    Set<Integer> owned();

    /** Whether the group has given this member its first assignment (possibly of no partition: more members than partitions). */
    boolean joined();

    /** UP while the member is in its group; DOWN with why while it cannot reach the engine or has been thrown out. */
    default Health health() {
        return Health.ok();
    }

    @Override
    void close();
}

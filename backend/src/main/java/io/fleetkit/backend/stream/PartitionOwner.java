package io.fleetkit.backend.stream;

import java.util.Map;
import java.util.Set;

/**
 * A consumer-group member's side of {@link Stream#join}: what it does with the partitions the engine gives it and takes
 * back. The engine calls it from one thread, one call at a time; each call returns once the work has started or stopped.
 */
public interface PartitionOwner {

    /** These partitions are the member's now: start consuming each at the group's checkpoint given (0 when it has none). */
    void assigned(Map<Integer, Long> checkpoints);

    /**
     * These partitions leave the member (a rebalance, or the member leaving): stop consuming them and return, per partition,
     * the checkpoint to commit before they move — everything before it is done (handled and flushed, archived) — or nothing
     * for a partition with no progress to record. The engine commits them before another member may start.
     */
    Map<Integer, Long> revoked(Set<Integer> partitions);

    /**
     * These partitions were taken without a chance to commit (the member was thrown out of the group): stop consuming them;
     * whatever was not committed is delivered again to their next owner.
     */
    void lost(Set<Integer> partitions);
}

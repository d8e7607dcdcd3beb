package io.fleetkit.backend.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Group membership on an engine that has one consumer per group (the file log, memory): the member owns every partition from
 * the start, at the group's checkpoints, until it leaves, when the owner's last checkpoints are committed.
 */
final class AllPartitions implements GroupMembership {
    private static final Logger LOG = LoggerFactory.getLogger(AllPartitions.class);
    private final Stream stream;
    private final String group;
    private final PartitionOwner owner;
    private final Set<Integer> partitions = new TreeSet<>();
    private boolean closed;

    AllPartitions(Stream stream, String group, PartitionOwner owner) {
        this.stream = stream;
        this.group = group;
        this.owner = owner;
        Map<Integer, Long> checkpoints = new HashMap<>();
        for (int p = 0; p < stream.partitions(); p++) {
            checkpoints.put(p, stream.committed(group, p));
            partitions.add(p);
        }
        owner.assigned(checkpoints);
    }

    @Override
    public synchronized Set<Integer> owned() {
        return closed ? Set.of() : Set.copyOf(partitions);
    }

    @Override
    public boolean joined() {
        return true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.revoked(partitions).forEach((partition, offset) -> {
            try {
                stream.commit(group, partition, offset);
            } catch (RuntimeException e) {
                LOG.warn("{} group {} partition {}: checkpoint at {} not written on leaving ({}); what came after the last one comes"
                        + " again", stream.name(), group, partition, offset, e.toString());
            }
        });
    }
}

package io.fleetkit.firmware;

import java.util.Objects;
import java.util.Optional;

/**
 * What the device keeps across reboots, as real firmware keeps it in flash: the hub it was
 * assigned (so a reboot goes straight to the hub), its telemetry interval, and the next sequence
 * number (so sequence numbers never repeat).
 *
 * @param assignedHub       the hub DPS assigned, if any
 * @param telemetryInterval seconds, 1–86,400
 */
public record NonVolatileState(Optional<String> assignedHub, int telemetryInterval, long nextSeq) {
    public NonVolatileState {
        Objects.requireNonNull(assignedHub, "assignedHub");
        if (telemetryInterval < 1 || telemetryInterval > 86_400) {
            throw new IllegalArgumentException("telemetryInterval: must be 1–86400 s, was " + telemetryInterval);
        }
        if (nextSeq < 0) {
            throw new IllegalArgumentException("nextSeq: must not be negative");
        }
    }

    /** Fresh from the factory: no assignment. */
    public static NonVolatileState factory(int telemetryInterval) {
        return new NonVolatileState(Optional.empty(), telemetryInterval, 0);
    }

    public NonVolatileState withHub(String hub) {
        return new NonVolatileState(Optional.of(hub), telemetryInterval, nextSeq);
    }

    public NonVolatileState withoutHub() {
        return new NonVolatileState(Optional.empty(), telemetryInterval, nextSeq);
    }

    public NonVolatileState withInterval(int seconds) {
        return new NonVolatileState(assignedHub, seconds, nextSeq);
    }

    public NonVolatileState withNextSeq(long seq) {
        return new NonVolatileState(assignedHub, telemetryInterval, seq);
    }
}

package io.fleetkit.protocol.message;

import java.time.Instant;
import java.util.Objects;

/**
 * A seldom-sent event in the device's life: a boot, or the progress of a firmware update.
 * Routed apart from telemetry so that the backend can consume it at its own pace.
 */
public record Lifecycle(long seq, Instant ts, LifecycleEvent event) implements DeviceMessage {
    public Lifecycle {
        Messages.checkSeq(seq);
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(event, "event");
    }

    @Override
    public MessageType type() {
        return MessageType.LIFECYCLE;
    }
}

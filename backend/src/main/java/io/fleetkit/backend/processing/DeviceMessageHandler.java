package io.fleetkit.backend.processing;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.message.Alert;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Telemetry;
import org.slf4j.LoggerFactory;

import java.util.OptionalLong;

/**
 * What a backend team implements: one method per message type, each optional. A
 * {@link StreamProcessor} calls them at least once per message, in order within a device (and
 * within a partition), one partition per thread; a handler shared across partitions must be
 * thread-safe.
 *
 * <p>A handler that throws is retried on the same message with back-off (the failure is taken
 * as transient, e.g. the database being away); nothing after it in the partition is handled
 * meanwhile. Messages that do not decode are not retried: they go to {@link #onUndecodable}.
 */
public interface DeviceMessageHandler {

    default void onTelemetry(MessageContext context, Telemetry message) throws Exception {
    }

    default void onLifecycle(MessageContext context, Lifecycle message) throws Exception {
    }

    default void onAlert(MessageContext context, Alert message) throws Exception {
    }

    default void onPresence(MessageContext context, Presence message) throws Exception {
    }

    /**
     * A connection event from the hub (routed from {@code DEVICE_LIFECYCLE_EVENTS}): the device
     * connected or its connection closed, at {@code context.enqueuedTime()}.
     */
    default void onConnectionState(MessageContext context, boolean connected) throws Exception {
    }

    /** A message whose body is not a valid device message; by default logged and skipped. */
    default void onUndecodable(MessageContext context, ProtocolException problem) throws Exception {
        LoggerFactory.getLogger(DeviceMessageHandler.class).warn("{} partition {} offset {} from {}: skipped, {}",
                context.stream(), context.partition(), context.offset(), context.deviceId(), problem.getMessage());
    }

    /**
     * Called before the processor checkpoints: everything handled since the last flush must be
     * stored when this returns (a handler that buffers, e.g. for batched inserts, writes here).
     */
    default void flush() throws Exception {
    }

    /**
     * {@link #flush()}, told the batch's last record: a handler that saves its position in the stream with its writes
     * (see {@link #resumeAt}) saves {@code last.offset() + 1} here, in the same transaction. By default {@link #flush()}.
     */
    default void flush(MessageContext last) throws Exception {
        flush();
    }

    /**
     * Where this handler's own store says it got to in a partition, when it saves that atomically with its writes; empty
     * (the default) to resume at the stream's checkpoint of the processor's group. The processor asks when a partition's
     * worker starts and resumes there: earlier than the checkpoint when the store came back from a crash without its last
     * commits (H2 can), later when the checkpoint (written at most once a second) had not caught up.
     */
    default OptionalLong resumeAt(String stream, int partition) throws Exception {
        return OptionalLong.empty();
    }
}

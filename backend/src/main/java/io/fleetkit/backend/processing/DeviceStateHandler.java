package io.fleetkit.backend.processing;

import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.store.ConsumerOffsets;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;

import java.util.OptionalLong;

/**
 * The built-in lifecycle processor: a boot message updates the device's state (firmware version, model, last boot and its
 * reason); the hub's connection events its online state and last activity. Firmware-update progress is not stored yet.
 * Each batch's changes are written in one transaction with the position after them ({@link ConsumerOffsets}), as
 * {@link TelemetryStoreHandler} does.
 */
public final class DeviceStateHandler implements DeviceMessageHandler {
    private final DeviceStateStore store;
    private final ConsumerOffsets offsets;
    private final String consumer;
    // flush() runs on the thread that handled the messages: one batch of changes per partition thread
    private final ThreadLocal<DeviceStateStore.Changes> changes = ThreadLocal.withInitial(DeviceStateStore.Changes::new);

    /**
     * @param consumer the name its positions are saved under: the processor's group
     */
    public DeviceStateHandler(DeviceStateStore store, ConsumerOffsets offsets, String consumer) {
        this.store = store;
        this.offsets = offsets;
        this.consumer = consumer;
    }

    @Override
    public void onConnectionState(MessageContext context, boolean connected) {
        changes.get().presence(context.deviceId(), connected, context.enqueuedTime());
        String modelId = context.properties().get(RecordProperties.MODEL_ID);
        if (connected && modelId != null) {
            changes.get().modelId(context.deviceId(), modelId); // the Plug and Play model id of its CONNECT
        }
    }

    @Override
    public void onLifecycle(MessageContext context, Lifecycle message) {
        if (message.event() instanceof LifecycleEvent.Boot boot) {
            changes.get().boot(context.deviceId(), boot.modelId(), boot.firmwareVersion(), message.ts(), boot.resetReason().wireName());
        }
    }

    @Override
    public void flush(MessageContext last) {
        DeviceStateStore.Changes batch = changes.get();
        // throws on failure: the changes stay and the processor retries the flush
        store.apply(batch, new ConsumerOffsets.Position(consumer, last.stream(), last.partition(), last.offset() + 1));
        batch.clear();
    }

    @Override
    public OptionalLong resumeAt(String stream, int partition) {
        return offsets.next(consumer, stream, partition);
    }
}

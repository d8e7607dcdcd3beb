package io.fleetkit.backend.processing;

import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in telemetry processor: buffers each partition's telemetry and writes it to the
 * store in one batch per {@link #flush()}, i.e. before the processor checkpoints. Redeliveries
 * are harmless: the store ignores a (device, sequence number) it already has.
 */
public final class TelemetryStoreHandler implements DeviceMessageHandler {
    private final TelemetryStore store;
    // flush() runs on the thread that handled the messages: one buffer per partition thread
    private final ThreadLocal<List<TelemetryStore.Row>> buffer = ThreadLocal.withInitial(ArrayList::new);

    public TelemetryStoreHandler(TelemetryStore store) {
        this.store = store;
    }

    @Override
    public void onTelemetry(MessageContext context, Telemetry message) {
        String readings = DeviceMessageCodec.CODEC.toTree(message).get("readings").toString();
        buffer.get().add(new TelemetryStore.Row(context.deviceId(), message.seq(), message.ts(), context.enqueuedTime(), readings));
    }

    @Override
    public void flush() {
        List<TelemetryStore.Row> rows = buffer.get();
        store.insert(rows); // throws on failure: the rows stay buffered and the processor retries the flush
        rows.clear();
    }
}

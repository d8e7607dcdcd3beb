package io.fleetkit.backend.processing;

import io.fleetkit.backend.store.ConsumerOffsets;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The built-in telemetry processor: buffers each partition's telemetry and writes it to the store in one batch per
 * {@link #flush(MessageContext)}, i.e. before the processor checkpoints, together with its position in the stream
 * ({@link ConsumerOffsets}) — so it resumes where its rows end even if the database lost its last commits in a crash.
 * Redeliveries are harmless: the store ignores a (device, sequence number) it already has.
 */
public final class TelemetryStoreHandler implements DeviceMessageHandler {
    private final TelemetryStore store;
    private final ConsumerOffsets offsets;
    private final String consumer;
    // flush() runs on the thread that handled the messages: one buffer per partition thread
    private final ThreadLocal<List<TelemetryStore.Row>> buffer = ThreadLocal.withInitial(ArrayList::new);

    /**
     * @param consumer the name its positions are saved under: the processor's group
     */
    public TelemetryStoreHandler(TelemetryStore store, ConsumerOffsets offsets, String consumer) {
        this.store = store;
        this.offsets = offsets;
        this.consumer = consumer;
    }

    @Override
    public void onTelemetry(MessageContext context, Telemetry message) {
        buffer.get().add(new TelemetryStore.Row(context.deviceId(), message.seq(), message.ts(), context.enqueuedTime(),
                DeviceMessageCodec.readingsJson(message)));
    }

    @Override
    public void flush(MessageContext last) {
        List<TelemetryStore.Row> rows = buffer.get();
        // throws on failure: the rows stay buffered and the processor retries the flush
        store.insert(rows, new ConsumerOffsets.Position(consumer, last.stream(), last.partition(), last.offset() + 1));
        rows.clear();
    }

    @Override
    public OptionalLong resumeAt(String stream, int partition) {
        return offsets.next(consumer, stream, partition);
    }
}

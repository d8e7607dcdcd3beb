package io.fleetkit.backend.processing;

import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decodes each record of a stream once for every processor group of this process that reads it: the groups on one stream
 * (the telemetry store and a team's own processors; device state and ownership on lifecycle) read the same records at
 * about the same time, so the first to decode one keeps the message in a small ring per partition and the others take it
 * from there. Messages are immutable records, so groups may share one. The process's assembly makes one per stream and
 * hands it to each {@link StreamProcessor} it starts on that stream; a processor started without one decodes alone.
 *
 * <p>Bounded: {@value #ENTRIES} messages per stream at most, a slot per offset modulo the ring's size (a group further
 * behind decodes for itself). Used only while two or more groups read the stream: with one, keeping messages would only
 * make them outlive a young collection.
 */
public final class DecodedMessages {
    static final int ENTRIES = 2048;

    private final AtomicReferenceArray<Decoded>[] rings;
    private final int mask;
    private final AtomicInteger readers = new AtomicInteger();
    private final LongAdder shared = new LongAdder();

    private record Decoded(long offset, byte[] body, DeviceMessage message) {
    }

    /** For one stream's groups; nothing is kept until a second group joins. */
    public static DecodedMessages of(Stream stream) {
        return new DecodedMessages(stream.partitions());
    }

    @SuppressWarnings("unchecked")
    private DecodedMessages(int partitions) {
        int slots = Integer.highestOneBit(Math.max(64, ENTRIES / Math.max(1, partitions)));
        this.mask = slots - 1;
        this.rings = new AtomicReferenceArray[partitions];
        for (int p = 0; p < partitions; p++) {
            rings[p] = new AtomicReferenceArray<>(slots);
        }
    }

    /** A group reads the stream from now until it calls {@link #leave()}. */
    DecodedMessages join() {
        readers.incrementAndGet();
        return this;
    }

    int partitions() {
        return rings.length;
    }

    void leave() {
        readers.decrementAndGet();
    }

    /** The record's message: decoded by another group already, or now. Throws what the codec throws for an invalid body. */
    DeviceMessage decode(int partition, StreamRecord r) {
        if (readers.get() < 2) {
            return DeviceMessageCodec.CODEC.fromJson(r.body());
        }
        AtomicReferenceArray<Decoded> ring = rings[partition];
        int slot = (int) (r.offset() & mask);
        Decoded d = ring.get(slot);
        // the body too: an offset is reused when a stream's directory is replaced, and it is cheap next to a decode
        if (d != null && d.offset() == r.offset() && (d.body() == r.body() || Arrays.equals(d.body(), r.body()))) {
            shared.increment();
            return d.message();
        }
        DeviceMessage m = DeviceMessageCodec.CODEC.fromJson(r.body());
        ring.set(slot, new Decoded(r.offset(), r.body(), m));
        return m;
    }

    /** Decodes saved by sharing, since the stream was first read. */
    public long shared() {
        return shared.sum();
    }
}

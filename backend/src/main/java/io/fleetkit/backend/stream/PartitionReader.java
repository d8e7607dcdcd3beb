package io.fleetkit.backend.stream;

import java.time.Duration;
import java.util.List;

/**
 * One partition's records for one consumer, in offset order ({@link Stream#reader}). One worker thread owns it: not
 * thread-safe.
 */
public interface PartitionReader extends AutoCloseable {

    /**
     * Up to {@code max} records from {@code offset} on; when there are none yet, waits up to {@code wait} for one (woken at
     * once by an append where the engine can), then returns what there is — possibly nothing. An offset retention already
     * removed reads from the oldest one kept: the records carry their offsets, so the consumer sees the gap.
     */
    List<StreamRecord> read(long offset, int max, Duration wait) throws InterruptedException;

    @Override
    default void close() {
    }
}

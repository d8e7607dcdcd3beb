package io.fleetkit.backend.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** A {@link PartitionReader} over {@link Stream#read} and {@link Stream#awaitAppend}: engines whose reads are local calls. */
final class PolledReader implements PartitionReader {
    private static final long RECHECK_NANOS = Duration.ofMillis(1).toNanos();
    private final Stream stream;
    private final int partition;

    PolledReader(Stream stream, int partition) {
        this.stream = stream;
        this.partition = partition;
    }

    @Override
    public List<StreamRecord> read(long offset, int max, Duration wait) throws InterruptedException {
        List<StreamRecord> batch = stream.read(partition, offset, max);
        if (!batch.isEmpty() || wait.isZero()) {
            return batch;
        }
        if (stream.endOffset(partition) > offset) {
            LockSupport.parkNanos(RECHECK_NANOS); // there is a record, but it could not be read yet
        } else {
            stream.awaitAppend(partition, offset, wait);
        }
        return stream.read(partition, offset, max);
    }
}

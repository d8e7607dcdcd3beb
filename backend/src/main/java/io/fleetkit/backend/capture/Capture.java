package io.fleetkit.backend.capture;

import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.stream.GroupMembership;
import io.fleetkit.backend.stream.PartitionOwner;
import io.fleetkit.backend.stream.PartitionReader;
import io.fleetkit.backend.stream.PartitionWorkers;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Archives one stream in the Event Hubs Capture layout and Avro schema ({@code EventData.avsc}):
 * per partition, a file per time window (or sooner, at the size limit), visible only once closed
 * and committed ({@link CaptureStore}: a folder, or block blobs in Azure Blob Storage), so a reader
 * never sees half a file. Capture is a consumer group ({@value #GROUP}) that checkpoints only after
 * a file is committed: after a crash the open window is captured again from the checkpoint.
 * Only allow-listed body fields and properties are archived ({@link CaptureConfig}).
 */
public final class Capture implements AutoCloseable {
    public static final String GROUP = "capture";
    static final Schema SCHEMA = loadSchema();
    private static final Logger LOG = LoggerFactory.getLogger(Capture.class);
    private static final DateTimeFormatter LAYOUT = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH/mm/ss").withZone(ZoneOffset.UTC);
    private static final Duration IDLE = Duration.ofMillis(50);

    private final Stream stream;
    private final CaptureConfig config;
    private final CaptureFilter filter;
    private final Clock clock;
    private PartitionWorkers workers;
    private GroupMembership membership;
    /** Per partition, the group's checkpoint as last known or written: where archiving (re)starts. */
    private final AtomicLongArray checkpoints;
    /** Per partition, what a stopped worker archived to (its files closed): committed when the partition leaves; -1 for nothing new. */
    private final AtomicLongArray archived;

    private Capture(Stream stream, CaptureConfig config, Clock clock) {
        this.stream = stream;
        this.config = config;
        this.filter = new CaptureFilter(config.bodyFields(), config.properties());
        this.clock = clock;
        this.checkpoints = new AtomicLongArray(stream.partitions());
        this.archived = new AtomicLongArray(stream.partitions());
    }

    public static Capture start(Stream stream, CaptureConfig config) {
        return start(stream, config, Clock.systemUTC());
    }

    static Capture start(Stream stream, CaptureConfig config, Clock clock) {
        Capture c = new Capture(stream, config, clock);
        for (int p = 0; p < stream.partitions(); p++) {
            try {
                config.store().prepare(c.partitionPath(p));
            } catch (IOException e) {
                throw new UncheckedIOException("capture " + stream.name() + ": cannot prepare " + config.store().describe() + "/"
                        + c.partitionPath(p) + ": " + e.getMessage(), e);
            }
        }
        c.workers = new PartitionWorkers("capture-" + stream.name(), stream.partitions(), c::capture);
        c.membership = stream.join(GROUP, c.new Owner());
        return c;
    }

    /** Starts and stops archiving partitions as the engine moves them to and from this member. */
    private final class Owner implements PartitionOwner {
        @Override
        public void assigned(Map<Integer, Long> given) {
            given.forEach((partition, checkpoint) -> {
                checkpoints.set(partition, checkpoint);
                archived.set(partition, -1);
                workers.start(partition);
            });
        }

        @Override
        public Map<Integer, Long> revoked(Set<Integer> partitions) {
            workers.stop(partitions); // each closes its open file early
            Map<Integer, Long> last = new HashMap<>();
            for (int p : partitions) {
                long at = archived.getAndSet(p, -1);
                if (at >= 0) {
                    last.put(p, at);
                }
            }
            return last;
        }

        @Override
        public void lost(Set<Integer> partitions) {
            workers.stop(partitions);
        }
    }

    private String partitionPath(int partition) {
        return config.namespace() + "/" + config.hub() + "/" + partition;
    }

    /** One file being written. */
    private final class OpenFile {
        final CaptureStore.CaptureFile file;
        final Instant windowEnd;
        final CountingOutputStream out;
        final DataFileWriter<GenericRecord> writer;

        OpenFile(int partition, Instant start) throws IOException {
            String base = partitionPath(partition) + "/" + LAYOUT.format(start);
            String name = base + ".avro";
            for (int n = 1; config.store().exists(name); n++) { // several files in one second (size limit): keep them all
                name = base + "-" + n + ".avro";
            }
            file = config.store().create(name);
            windowEnd = start.plus(config.window());
            out = new CountingOutputStream(file.out());
            writer = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(SCHEMA)).setCodec(CodecFactory.deflateCodec(6));
            writer.create(SCHEMA, out);
        }

        void append(StreamRecord r) throws IOException {
            GenericRecord e = new GenericData.Record(SCHEMA);
            e.put("SequenceNumber", r.offset());
            e.put("Offset", Long.toString(r.offset()));
            e.put("EnqueuedTimeUtc", r.enqueuedTime().toString());
            Map<String, Object> system = new HashMap<>();
            system.put("connectionDeviceId", r.deviceId().value());
            system.put("enqueuedTime", r.enqueuedTime().toString());
            // only from a fixed set: a device's own strings are not archived as they are
            CaptureFilter.contentType(r.properties().get("$.ct")).ifPresent(t -> system.put("contentType", t));
            CaptureFilter.contentEncoding(r.properties().get("$.ce")).ifPresent(t -> system.put("contentEncoding", t));
            e.put("SystemProperties", system);
            e.put("Properties", new HashMap<Object, Object>(filter.properties(r.properties())));
            e.put("Body", filter.body(r.body()).map(ByteBuffer::wrap).orElse(null));
            writer.append(e);
        }

        boolean full(Instant now) {
            return !now.isBefore(windowEnd) || out.count >= config.maxBytes();
        }

        void close() throws IOException {
            writer.close();
            file.commit();
        }
    }

    private void capture(int partition) {
        long next = checkpoints.get(partition);
        OpenFile file = null;
        long pending = next; // the checkpoint to commit when the open file is closed
        try (PartitionReader reader = stream.reader(partition)) {
            while (workers.running(partition)) {
                try {
                    if (file != null && file.full(clock.instant())) {
                        file.close();
                        commit(partition, pending);
                        file = null;
                    }
                    List<StreamRecord> batch = reader.read(next, 500, IDLE);
                    workers.fine(partition); // running (again): a failure the supervisor reported is over
                    if (batch.isEmpty()) {
                        continue;
                    }
                    for (StreamRecord r : batch) {
                        if (file == null) {
                            file = new OpenFile(partition, clock.instant());
                        }
                        file.append(r);
                        next = r.offset() + 1;
                        pending = next;
                        if (file.out.count >= config.maxBytes()) {
                            file.writer.flush();
                            file.close();
                            commit(partition, pending);
                            file = null;
                        }
                    }
                    if (file != null) {
                        file.writer.flush(); // makes the size count real
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("capture {} partition {}: {}; retrying from the checkpoint in 5 s", stream.name(), partition, e.toString());
                    workers.trouble(partition, "archiving fails and is retried from the checkpoint (" + e.getMessage() + ")");
                    file = abandon(file);
                    next = checkpoints.get(partition);
                    LockSupport.parkNanos(5_000_000_000L);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (file != null) { // a clean stop closes the window early; the checkpoint goes with the partition
            try {
                file.close();
                archived.set(partition, pending);
            } catch (IOException e) {
                LOG.error("capture {} partition {}: closing {} on stop: {}", stream.name(), partition, file.file.name(), e.toString());
            }
        }
    }

    private void commit(int partition, long offset) {
        stream.commit(GROUP, partition, offset);
        checkpoints.set(partition, offset);
    }

    private static OpenFile abandon(OpenFile file) {
        if (file != null) {
            try {
                file.writer.close();
            } catch (IOException ignored) {
                // dropped below either way
            }
            file.file.abandon();
        }
        return null;
    }

    /** The captured stream's name. */
    public String streamName() {
        return stream.name();
    }

    /** UP while every partition's archiving gets on; DOWN naming those whose worker failed (e.g. a file it cannot write). */
    public Health health() {
        Health member = membership.health();
        return member.up() ? workers.health() : member;
    }

    /** Stops capturing; open files are closed (early) and checkpointed as the partitions leave. */
    @Override
    public void close() {
        membership.close();
        workers.stopAll();
    }

    private static Schema loadSchema() {
        try (InputStream in = Capture.class.getResourceAsStream("EventData.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("EventData.avsc missing from the classpath", e);
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}

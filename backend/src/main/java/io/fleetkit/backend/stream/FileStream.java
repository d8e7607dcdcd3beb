package io.fleetkit.backend.stream;

import io.fleetkit.backend.health.Health;
import io.fleetkit.protocol.pki.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Instant;

/**
 * The embedded stream: per partition a directory of segment files
 * ({@code {first offset}.log}) holding CRC-checked records, written by one writer thread that
 * batches appends and forces each batch to disk before completing their futures (group fsync:
 * an acknowledged message is on disk). On open, every segment is scanned and a torn or
 * corrupted tail is cut off, so a crash loses nothing that was acknowledged. Checkpoints are
 * small files replaced atomically. Everything is written owner-only. Thread-safe.
 *
 * <p>Bounded and watched: the bytes queued for the writer are capped (past the cap an append fails at
 * once with {@link StreamFullException}, never queued); a batch that cannot be written (a full disk)
 * fails its appends and marks the stream DOWN in {@link #health()} until a write succeeds again, which
 * an idle writer checks every second with a small probe file; anything the writer thread throws is
 * logged and survived, and if the thread ever ends otherwise, every append fails saying so.
 */
public final class FileStream implements Stream {
    private static final Logger LOG = LoggerFactory.getLogger(FileStream.class);
    private static final int BATCH = 1024;
    private static final long RETENTION_CHECK_NANOS = 10_000_000_000L;

    private final String name;
    private final Path dir;
    private final long segmentBytes;
    private final Retention retention;
    private long lastRetentionCheck;
    private final FilePartition[] partitions;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(); // bounded in bytes by maxQueuedBytes
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long maxQueuedBytes;
    private final FileCheckpoints checkpoints;
    private final Thread writer;
    private volatile boolean closed;
    /** Why writes fail now, or null when they succeed; set and cleared by the writer thread. */
    private volatile Health failing;
    /** Set when the writer thread ended by anything but a close: every append fails from then on. */
    private volatile Throwable writerDied;
    /** Notified after each written batch: consumers waiting in {@link #awaitAppend} wake at once. */
    private final Object appended = new Object();

    private record Pending(StreamRecord record, CompletableFuture<Long> done, long bytes) {
    }

    /** The most bytes queued for the writer by default: a quarter of the heap, at most 512 MB. */
    static long defaultMaxQueuedBytes() {
        return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Opens (creating if needed) the stream in {@code dir}, recovering every partition.
     *
     * @param segmentBytes a segment rolls over past this size
     */
    public static FileStream open(Path dir, String name, int partitions, long segmentBytes) {
        return open(dir, name, partitions, segmentBytes, Retention.FOREVER);
    }

    /**
     * As {@link #open(Path, String, int, long)}, removing old segments by {@code retention} on
     * open and every 10 seconds after.
     */
    public static FileStream open(Path dir, String name, int partitions, long segmentBytes, Retention retention) {
        return new FileStream(dir, name, partitions, segmentBytes, retention);
    }

    private FileStream(Path dir, String name, int partitionCount, long segmentBytes, Retention retention) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitions: at least 1, was " + partitionCount);
        }
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("segment size: at least 1 byte, was " + segmentBytes);
        }
        this.name = name;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.retention = retention;
        this.partitions = new FilePartition[partitionCount];
        this.maxQueuedBytes = defaultMaxQueuedBytes();
        try {
            PrivateFiles.createDirectories(dir);
            checkpoints = new FileCheckpoints(dir.resolve("checkpoints"));
            for (int i = 0; i < partitionCount; i++) {
                partitions[i] = FilePartition.recover(dir.resolve("p" + i), name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open stream " + name + " in " + dir + ": " + e.getMessage(), e);
        }
        enforceRetention();
        lastRetentionCheck = System.nanoTime();
        writer = new Thread(this::writeLoop, "stream-" + name + "-writer");
        writer.setDaemon(true);
        writer.setUncaughtExceptionHandler((t, e) -> writerEnded(e));
        writer.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int partitions() {
        return partitions.length;
    }

    /**
     * {@inheritDoc} Fails at once, without queueing, when the stream is closed, its writer has stopped, or more than its
     * cap of bytes already waits to be written ({@link StreamFullException}).
     */
    @Override
    public synchronized CompletableFuture<Long> append(StreamRecord record) {
        // synchronized with close(): nothing is queued after the writer was told to finish
        CompletableFuture<Long> done = new CompletableFuture<>();
        long bytes = RecordCodec.HEADER + record.bodyNoCopy().length;
        if (closed) {
            done.completeExceptionally(new IllegalStateException("stream " + name + " is closed"));
        } else if (record.bodyNoCopy().length > RecordCodec.MAX_PAYLOAD - 64 * 1024) {
            done.completeExceptionally(new IllegalArgumentException("stream " + name + ": a body of " + record.bodyNoCopy().length
                    + " bytes is over the " + (RecordCodec.MAX_PAYLOAD - 64 * 1024) + " a record may carry"));
        } else if (writerDied != null) {
            done.completeExceptionally(new IllegalStateException("stream " + name + ": its writer has stopped (" + writerDied + ")"));
        } else if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            queuedBytes.addAndGet(-bytes);
            done.completeExceptionally(new StreamFullException(name, maxQueuedBytes));
        } else {
            queue.add(new Pending(record, done, bytes));
        }
        return done;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                if (System.nanoTime() - lastRetentionCheck > RETENTION_CHECK_NANOS) {
                    lastRetentionCheck = System.nanoTime();
                    enforceRetention();
                }
                Pending first = queue.poll(failing == null ? 100 : PROBE_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (failing != null) {
                        probe();
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) { // an Error too (OutOfMemoryError): logged, the batch failed, the writer goes on
                failed("the writer failed", t);
                batch.forEach(x -> x.done().completeExceptionally(t));
            } finally {
                batch.forEach(x -> queuedBytes.addAndGet(-x.bytes()));
                batch.clear();
            }
        }
    }

    /** After a failed write, when idle: whether a small file can be written and forced now (space came back). */
    private void probe() {
        Path file = dir.resolve(".write-probe");
        try (FileChannel ch = PrivateFiles.openReadWrite(file)) {
            ch.write(ByteBuffer.wrap(new byte[4096]));
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            return; // still failing
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the next probe tries again
            }
        }
        recovered();
    }

    private void failed(String what, Throwable cause) {
        if (failing == null) {
            LOG.error("stream {}: {}: {}; appends fail until a write succeeds again", name, what, cause.toString());
            failing = Health.down(what + ": " + cause.getMessage(), Instant.now());
        }
    }

    private void recovered() {
        if (failing != null) {
            LOG.info("stream {}: writes succeed again (failing since {})", name, failing.since());
            failing = null;
        }
    }

    /** The writer thread ended other than by a close: fail what waits and everything after. */
    private void writerEnded(Throwable cause) {
        writerDied = cause;
        failing = Health.down("the writer thread stopped: " + cause, Instant.now());
        LOG.error("stream {}: the writer thread stopped; every append fails from now on", name, cause);
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(cause);
        }
    }

    /** UP while writes succeed; DOWN, with the reason and since when, while they fail or if the writer thread stopped. */
    @Override
    public Health health() {
        Health h = failing;
        return h == null ? Health.ok() : h;
    }

    private static final long PROBE_MILLIS = 1000;

    /**
     * Writes a batch: each partition's records in one gathering write, then one fsync per partition
     * touched, then the futures complete. Records become visible to readers once written. The fsyncs
     * follow all the writes rather than each its own: with each file grown before the first
     * fsync, one journal commit of the file system carries them all, instead of one per partition.
     */
    private void writeBatch(List<Pending> batch) {
        Set<FilePartition> touched = new LinkedHashSet<>();
        long[] offsets = new long[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                StreamRecord record = batch.get(i).record();
                FilePartition p = partitions[partitionOf(record.deviceId())];
                ensureActive(p);
                long offset = p.nextOffset + p.unwritten.size();
                ByteBuffer b = RecordCodec.encode(record.at(offset));
                p.unwrittenPositions.add(p.activeSize);
                p.unwritten.add(b);
                p.activeSize += b.remaining();
                touched.add(p);
                offsets[i] = offset;
            }
            for (FilePartition p : touched) {
                writeOut(p);
            }
            for (FilePartition p : touched) {
                p.active.force(false);
            }
            recovered();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(offsets[i]);
            }
            synchronized (appended) {
                appended.notifyAll();
            }
        } catch (Throwable e) {
            if (failing == null) {
                LOG.error("stream {}: a batch of {} records could not be stored: {}", name, batch.size(), e.toString());
            }
            failed("the last write failed", e);
            touched.forEach(this::discardUnwritten);
            batch.forEach(x -> x.done().completeExceptionally(e));
        }
    }

    /** Writes the partition's encoded records to its active segment (one gathering write) and indexes them. */
    private void writeOut(FilePartition p) throws IOException {
        if (p.unwritten.isEmpty()) {
            return;
        }
        ByteBuffer[] buffers = p.unwritten.toArray(new ByteBuffer[0]);
        long left = p.activeSize - p.unwrittenPositions.get(0);
        while (left > 0) {
            left -= p.active.write(buffers);
        }
        for (long position : p.unwrittenPositions) {
            p.indexRecord(p.activeBase, position);
            p.nextOffset++;
        }
        p.unwritten.clear();
        p.unwrittenPositions.clear();
    }

    /** After a failed batch: what was not indexed goes, and the segment is cut back to its last complete record. */
    private void discardUnwritten(FilePartition p) {
        if (p.unwritten.isEmpty()) {
            return;
        }
        long keep = p.unwrittenPositions.get(0);
        p.unwritten.clear();
        p.unwrittenPositions.clear();
        p.activeSize = keep;
        try {
            p.active.truncate(keep);
            p.active.position(keep);
        } catch (IOException e) {
            LOG.error("stream {}: cannot cut {} back to {} bytes ({}); recovery will on the next open", name, p.dir, keep, e.toString());
        }
    }

    private void ensureActive(FilePartition p) throws IOException {
        if (p.active != null && p.activeSize < segmentBytes) {
            return;
        }
        if (p.active != null) {
            writeOut(p); // the full segment's last records, before the next segment begins after them
            p.active.force(true);
            p.active.close();
            // none until the next one is open: if that fails (a full disk), the next batch tries to open it again rather
            // than write to the closed channel for ever
            p.active = null;
        }
        long base = p.nextOffset;
        Path file;
        boolean fresh;
        synchronized (p) {
            fresh = p.segments.isEmpty() || p.segments.lastKey() < base;
            file = fresh ? p.dir.resolve(String.format("%020d.log", base)) : p.segments.lastEntry().getValue();
            base = fresh ? base : p.segments.lastKey();
        }
        FileChannel opened = PrivateFiles.openReadWrite(file);
        if (fresh) {
            synchronized (p) {
                p.addSegment(base, file); // listed once it exists
            }
        }
        p.active = opened;
        p.activeSize = opened.size();
        opened.position(p.activeSize);
        p.activeBase = base;
    }

    @Override
    public List<StreamRecord> read(int partition, long offset, int max) {
        FilePartition p = partitions[partition];
        List<StreamRecord> out = new ArrayList<>(Math.min(max, 256));
        long o = Math.max(offset, startOffset(partition));
        long end = endOffset(partition); // records appended while reading wait for the next call
        while (out.size() < max && o < end) {
            long[] at = p.locate(o);
            if (at == null) {
                break;
            }
            long before = o;
            Path file = p.segment(at[0]);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long pos = at[1];
                long size = ch.size();
                RecordCodec.Stored stored;
                while (out.size() < max && o < end && (stored = RecordCodec.readAt(ch, pos, size)) != null
                        && stored.record().offset() <= o) {
                    if (stored.record().offset() == o) { // the records before it, from the indexed one on, are skipped
                        out.add(stored.record());
                        o++;
                    }
                    pos = stored.next();
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // retention removed the segment between locating and opening it: go on from the oldest kept
                o = Math.max(o, startOffset(partition));
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read stream " + name + " partition " + partition + ": " + e.getMessage(), e);
            }
            if (o == before) {
                break; // nothing readable there (yet): no busy loop
            }
        }
        return out;
    }

    @Override
    public long startOffset(int partition) {
        return partitions[partition].startOffset();
    }

    /**
     * Removes the segments retention no longer keeps, never the one being written; returns how
     * many it removed. Runs on the writer thread (and once on open), so it never races a rollover.
     */
    int enforceRetention() {
        if (retention.maxAge() == null && retention.maxBytes() == Long.MAX_VALUE) {
            return 0;
        }
        long cutoff = retention.maxAge() == null ? Long.MIN_VALUE : System.currentTimeMillis() - retention.maxAge().toMillis();
        int removed = 0;
        for (FilePartition p : partitions) {
            try {
                long bytes = 0;
                List<Map.Entry<Long, Path>> segments = p.segmentList();
                for (var e : segments) {
                    bytes += Files.size(e.getValue());
                }
                for (int i = 0; i < segments.size() - 1; i++) { // never the newest
                    Path file = segments.get(i).getValue();
                    long size = Files.size(file);
                    boolean old = Files.getLastModifiedTime(file).toMillis() < cutoff;
                    if (!old && bytes <= retention.maxBytes()) {
                        break;
                    }
                    long base = segments.get(i).getKey();
                    p.removeSegment(base);
                    Files.deleteIfExists(file);
                    bytes -= size;
                    removed++;
                    LOG.debug("stream {}: retention removed {} ({} bytes{})", name, file, size, old ? ", expired" : "");
                }
            } catch (IOException e) {
                LOG.warn("stream {}: retention in {}: {}", name, p.dir, e.toString());
            }
        }
        return removed;
    }

    @Override
    public long endOffset(int partition) {
        return partitions[partition].endOffset();
    }

    @Override
    public void awaitAppend(int partition, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (appended) {
            while (endOffset(partition) <= offset && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(appended, left);
            }
        }
    }

    @Override
    public void commit(String group, int partition, long offset) {
        checkpoints.commit(group, partition, offset);
    }

    @Override
    public long committed(String group, int partition) {
        return checkpoints.committed(group, partition);
    }

    /** Stops accepting appends, writes what is queued, and closes the files. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return; // closed already (AutoCloseable's close may come twice)
            }
            closed = true;
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (appended) {
            appended.notifyAll(); // consumers waiting for an append stop waiting: none will come
        }
        for (FilePartition p : partitions) {
            if (p.active != null) {
                try {
                    p.active.force(true);
                    p.active.close();
                } catch (IOException e) {
                    LOG.warn("stream {}: closing {}: {}", name, p.dir, e.toString());
                }
            }
        }
    }
}

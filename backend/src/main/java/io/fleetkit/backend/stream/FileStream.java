package io.fleetkit.backend.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The embedded stream: per partition a directory of segment files
 * ({@code {first offset}.log}) holding CRC-checked records, written by one writer thread that
 * batches appends and forces each batch to disk before completing their futures (group fsync:
 * an acknowledged message is on disk). On open, every segment is scanned and a torn or
 * corrupted tail is cut off, so a crash loses nothing that was acknowledged. Checkpoints are
 * small files replaced atomically. Thread-safe.
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
    private final Partition[] partitions;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Notified after each written batch: consumers waiting in {@link #awaitAppend} wake at once. */
    private final Object appended = new Object();

    private record Pending(StreamRecord record, CompletableFuture<Long> done) {
    }

    /** One partition: its segments (first offset → file) and where each record starts. */
    private static final class Partition {
        final Path dir;
        final TreeMap<Long, Path> segments = new TreeMap<>();
        final TreeMap<Long, long[]> positions = new TreeMap<>(); // segment base → record positions (grown by doubling)
        final Map<Long, Integer> counts = new TreeMap<>();
        FileChannel active;
        long activeBase;
        long activeSize; // bytes of the active segment, those encoded but not yet written included; writer thread only
        long nextOffset; // the next offset readers may see: records written to the file
        final List<ByteBuffer> unwritten = new ArrayList<>(); // this batch's records for this partition; writer thread only
        final List<Long> unwrittenPositions = new ArrayList<>();

        Partition(Path dir) {
            this.dir = dir;
        }

        synchronized void indexRecord(long base, long position) {
            long[] p = positions.computeIfAbsent(base, k -> new long[64]);
            int n = counts.getOrDefault(base, 0);
            if (n == p.length) {
                p = java.util.Arrays.copyOf(p, n * 2);
                positions.put(base, p);
            }
            p[n] = position;
            counts.put(base, n + 1);
        }

        /** The segment base and file position of {@code offset}, or null when out of range. */
        synchronized long[] locate(long offset) {
            var e = segments.floorEntry(offset);
            if (e == null) {
                return null;
            }
            long base = e.getKey();
            int index = (int) (offset - base);
            if (index >= counts.getOrDefault(base, 0)) {
                return null;
            }
            return new long[]{base, positions.get(base)[index]};
        }
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
        this.partitions = new Partition[partitionCount];
        try {
            Files.createDirectories(dir.resolve("checkpoints"));
            for (int i = 0; i < partitionCount; i++) {
                partitions[i] = recover(dir.resolve("p" + i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open stream " + name + " in " + dir + ": " + e.getMessage(), e);
        }
        enforceRetention();
        lastRetentionCheck = System.nanoTime();
        writer = new Thread(this::writeLoop, "stream-" + name + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    private Partition recover(Path pdir) throws IOException {
        Files.createDirectories(pdir);
        Partition p = new Partition(pdir);
        List<Path> files;
        try (var list = Files.list(pdir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        long expected = files.isEmpty() ? 0 : base(files.get(0));
        boolean cut = false;
        for (Path f : files) {
            long base = base(f);
            if (cut || base != expected) {
                LOG.warn("stream {}: removing segment {} after a damaged one", name, f);
                Files.delete(f);
                continue;
            }
            p.segments.put(base, f);
            p.positions.put(base, new long[64]);
            long offset = base;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long pos = 0;
                long size = ch.size();
                RecordCodec.Stored stored;
                while (pos < size && (stored = RecordCodec.readAt(ch, pos, size)) != null && stored.record().offset() == offset) {
                    p.indexRecord(base, pos);
                    pos = stored.next();
                    offset++;
                }
                if (pos < size) {
                    LOG.warn("stream {}: cutting a torn or damaged tail of {} at byte {} of {}", name, f, pos, size);
                    ch.truncate(pos);
                    ch.force(true);
                    cut = true;
                }
            }
            expected = offset;
        }
        p.nextOffset = expected;
        return p;
    }

    private static long base(Path segment) {
        String n = segment.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - ".log".length()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int partitions() {
        return partitions.length;
    }

    @Override
    public synchronized CompletableFuture<Long> append(StreamRecord record) {
        // synchronized with close(): nothing is queued after the writer was told to finish
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("stream " + name + " is closed"));
        } else {
            queue.add(new Pending(record, done));
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
                Pending first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Writes a batch: each partition's records in one gathering write, then one fsync per partition
     * touched, then the futures complete. Records become visible to readers once written. The fsyncs
     * follow all the writes rather than each its own: with each file grown before the first
     * fsync, one journal commit of the file system carries them all, instead of one per partition.
     */
    private void writeBatch(List<Pending> batch) {
        Set<Partition> touched = new LinkedHashSet<>();
        long[] offsets = new long[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                StreamRecord record = batch.get(i).record();
                Partition p = partitions[partitionOf(record.deviceId())];
                ensureActive(p);
                long offset = p.nextOffset + p.unwritten.size();
                ByteBuffer b = RecordCodec.encode(record.at(offset));
                p.unwrittenPositions.add(p.activeSize);
                p.unwritten.add(b);
                p.activeSize += b.remaining();
                touched.add(p);
                offsets[i] = offset;
            }
            for (Partition p : touched) {
                writeOut(p);
            }
            for (Partition p : touched) {
                p.active.force(false);
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(offsets[i]);
            }
            synchronized (appended) {
                appended.notifyAll();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("stream {}: a batch of {} records could not be stored: {}", name, batch.size(), e.toString());
            touched.forEach(this::discardUnwritten);
            batch.forEach(x -> x.done().completeExceptionally(e));
        }
    }

    /** Writes the partition's encoded records to its active segment (one gathering write) and indexes them. */
    private void writeOut(Partition p) throws IOException {
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
    private void discardUnwritten(Partition p) {
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

    private void ensureActive(Partition p) throws IOException {
        if (p.active != null && p.activeSize < segmentBytes) {
            return;
        }
        if (p.active != null) {
            writeOut(p); // the full segment's last records, before the next segment begins after them
            p.active.force(true);
            p.active.close();
        }
        long base = p.nextOffset;
        Path file = p.segments.containsKey(base) ? p.segments.get(base) : p.dir.resolve(String.format("%020d.log", base));
        if (p.segments.isEmpty() || p.segments.lastKey() < base) {
            synchronized (p) {
                p.segments.put(base, file);
            }
        } else {
            file = p.segments.lastEntry().getValue();
            base = p.segments.lastKey();
        }
        p.active = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        p.activeSize = p.active.size();
        p.active.position(p.activeSize);
        p.activeBase = base;
    }

    @Override
    public List<StreamRecord> read(int partition, long offset, int max) {
        Partition p = partitions[partition];
        List<StreamRecord> out = new ArrayList<>(Math.min(max, 256));
        long o = Math.max(offset, startOffset(partition));
        long end = endOffset(partition); // records appended while reading wait for the next call
        while (out.size() < max && o < end) {
            long[] at = p.locate(o);
            if (at == null) {
                break;
            }
            long before = o;
            Path file;
            synchronized (p) {
                file = p.segments.get(at[0]);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long pos = at[1];
                long size = ch.size();
                RecordCodec.Stored stored;
                while (out.size() < max && o < end && (stored = RecordCodec.readAt(ch, pos, size)) != null
                        && stored.record().offset() == o) {
                    out.add(stored.record());
                    o++;
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
        Partition p = partitions[partition];
        synchronized (p) {
            return p.segments.isEmpty() ? p.nextOffset : p.segments.firstKey();
        }
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
        for (Partition p : partitions) {
            try {
                long bytes = 0;
                List<Map.Entry<Long, Path>> segments;
                synchronized (p) {
                    segments = new ArrayList<>(p.segments.entrySet());
                }
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
                    synchronized (p) {
                        p.segments.remove(base);
                        p.positions.remove(base);
                        p.counts.remove(base);
                    }
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
        Partition p = partitions[partition];
        synchronized (p) {
            return p.counts.entrySet().stream().mapToLong(e -> e.getKey() + e.getValue()).max().orElse(p.nextOffset);
        }
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
        Path file = checkpoint(group, partition);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(offset), StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long committed(String group, int partition) {
        Path file = checkpoint(group, partition);
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private Path checkpoint(String group, int partition) {
        if (!group.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("group: 1–64 letters, digits, '_', '.' or '-', was '" + group + "'");
        }
        return dir.resolve("checkpoints").resolve(group + ".p" + partition);
    }

    /** Stops accepting appends, writes what is queued, and closes the files. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Partition p : partitions) {
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

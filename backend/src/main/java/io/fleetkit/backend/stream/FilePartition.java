package io.fleetkit.backend.stream;

import io.fleetkit.protocol.pki.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One partition of a {@link FileStream}: its segment files (first offset → file) and where every
 * {@value #INDEX_EVERY}th record starts in them (a reader scans forward from there). The index is read by consumers under
 * this object's lock; the active segment and the records encoded but not yet written belong to the stream's writer thread.
 */
final class FilePartition {
    /**
     * One position kept per this many records: a sparse index, 8 bytes per 32 records retained instead of 8 per record.
     * The soak found the dense one growing the heap by ~1 MB a minute at 1,667 messages/s, which over the default seven
     * days of retention would have been gigabytes.
     */
    static final int INDEX_EVERY = 32;
    private static final Logger LOG = LoggerFactory.getLogger(FileStream.class);
    final Path dir;
    final TreeMap<Long, Path> segments = new TreeMap<>();
    private final TreeMap<Long, long[]> positions = new TreeMap<>(); // segment base → every INDEX_EVERY-th record's position (grown by doubling)
    private final Map<Long, Integer> counts = new TreeMap<>();
    FileChannel active; // writer thread only
    long activeBase; // writer thread only
    long activeSize; // bytes of the active segment, those encoded but not yet written included; writer thread only
    long nextOffset; // the next offset readers may see: records written to the file
    final List<ByteBuffer> unwritten = new ArrayList<>(); // this batch's records for this partition; writer thread only
    final List<Long> unwrittenPositions = new ArrayList<>(); // writer thread only

    FilePartition(Path dir) {
        this.dir = dir;
    }

    synchronized void addSegment(long base, Path file) {
        segments.put(base, file);
        positions.putIfAbsent(base, new long[64]);
    }

    synchronized void indexRecord(long base, long position) {
        int n = counts.getOrDefault(base, 0);
        if (n % INDEX_EVERY == 0) {
            long[] p = positions.computeIfAbsent(base, k -> new long[64]);
            int slot = n / INDEX_EVERY;
            if (slot == p.length) {
                p = Arrays.copyOf(p, slot * 2);
                positions.put(base, p);
            }
            p[slot] = position;
        }
        counts.put(base, n + 1);
    }

    /**
     * Where to start reading for {@code offset}: its segment base, the file position of the nearest indexed record at or
     * before it, and that record's offset (the reader skips forward to {@code offset}); null when out of range.
     */
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
        int slot = index / INDEX_EVERY;
        return new long[]{base, positions.get(base)[slot], base + (long) slot * INDEX_EVERY};
    }

    synchronized Path segment(long base) {
        return segments.get(base);
    }

    /** Forgets a segment retention removed. */
    synchronized void removeSegment(long base) {
        segments.remove(base);
        positions.remove(base);
        counts.remove(base);
    }

    synchronized List<Map.Entry<Long, Path>> segmentList() {
        return new ArrayList<>(segments.entrySet());
    }

    synchronized long startOffset() {
        return segments.isEmpty() ? nextOffset : segments.firstKey();
    }

    synchronized long endOffset() {
        return counts.entrySet().stream().mapToLong(e -> e.getKey() + e.getValue()).max().orElse(nextOffset);
    }

    /**
     * Opens a partition's directory (creating it owner-only), indexing every record; a torn or corrupted tail is cut off
     * and any segment after a damaged one removed, so a crash loses nothing acknowledged.
     */
    static FilePartition recover(Path pdir, String name) throws IOException {
        PrivateFiles.createDirectories(pdir);
        FilePartition p = new FilePartition(pdir);
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
            p.addSegment(base, f);
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
}

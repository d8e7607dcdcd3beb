package io.fleetkit.backend.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A stream in memory, for tests and throw-away runs: nothing survives the process. Thread-safe. */
public final class InMemoryStream implements Stream {
    private final String name;
    private final List<List<StreamRecord>> partitions = new ArrayList<>();
    private final Map<String, Long> checkpoints = new ConcurrentHashMap<>();

    public InMemoryStream(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: at least 1");
        }
        this.name = name;
        for (int i = 0; i < partitions; i++) {
            this.partitions.add(new ArrayList<>());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int partitions() {
        return partitions.size();
    }

    @Override
    public CompletableFuture<Long> append(StreamRecord record) {
        List<StreamRecord> p = partitions.get(partitionOf(record.deviceId()));
        synchronized (p) {
            long offset = p.size();
            p.add(record.at(offset));
            return CompletableFuture.completedFuture(offset);
        }
    }

    @Override
    public List<StreamRecord> read(int partition, long offset, int max) {
        List<StreamRecord> p = partitions.get(partition);
        synchronized (p) {
            int from = (int) Math.min(offset, p.size());
            return List.copyOf(p.subList(from, (int) Math.min(p.size(), from + (long) max)));
        }
    }

    @Override
    public long endOffset(int partition) {
        List<StreamRecord> p = partitions.get(partition);
        synchronized (p) {
            return p.size();
        }
    }

    @Override
    public void commit(String group, int partition, long offset) {
        checkpoints.put(group + "/" + partition, offset);
    }

    @Override
    public long committed(String group, int partition) {
        return checkpoints.getOrDefault(group + "/" + partition, 0L);
    }

    @Override
    public void close() {
    }
}

package io.fleetkit.bench.backend;

import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.protocol.id.DeviceId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The telemetry processor's store write: a batch of rows in one transaction (insert, duplicates by
 * device and sequence number skipped), on the embedded H2 file database, committed to disk
 * ({@code WRITE_DELAY=0}). Scores are rows per millisecond; the batch of 1 is the baseline that shows
 * what batching buys (one commit per row).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreInsertBenchmark {
    private static final int ROWS_PER_CALL = 100;
    private static final String READINGS = "{\"temperature\":21.5,\"humidity\":45,\"targetTemperature\":21.5,\"heating\":false,\"batteryPercent\":98}";

    @Param({"1", "100"})
    public int batch;

    private Path dir;
    private Database db;
    private TelemetryStore store;
    private long seq;
    private final List<DeviceId> devices = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("fleetkit-bench-store");
        db = Database.h2(dir);
        store = new TelemetryStore(db);
        for (int i = 1; i <= 100; i++) {
            devices.add(DeviceId.of(String.format("dev-%05d", i)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        db.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** 100 rows, in batches of {@code batch}: scores are rows/ms. */
    @Benchmark
    @OperationsPerInvocation(ROWS_PER_CALL)
    public int insertRows() {
        int stored = 0;
        Instant now = Instant.now();
        for (int done = 0; done < ROWS_PER_CALL; done += batch) {
            List<TelemetryStore.Row> rows = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                long s = seq++;
                rows.add(new TelemetryStore.Row(devices.get((int) (s % devices.size())), s, now, now, READINGS));
            }
            stored += store.insert(rows);
        }
        return stored;
    }
}

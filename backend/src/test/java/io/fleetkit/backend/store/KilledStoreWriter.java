package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The process {@link H2KillLoopIT} kills: opens the H2 store, says what it finds ("open POSITION ROWS MAXSEQ"), then writes
 * telemetry as the store processor does — a batch of rows and the position after them, one transaction — saying
 * "committed POSITION" after each commit returns, until it is killed.
 */
public final class KilledStoreWriter {
    static final String CONSUMER = "store";
    static final String STREAM = "telemetry";
    static final DeviceId DEVICE = DeviceId.of("killed-1");

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int retentionMillis = Integer.parseInt(args[1]);
        Database db = Database.open(url(dir, retentionMillis), "sa", "", null);
        TelemetryStore store = new TelemetryStore(db);
        long next = new ConsumerOffsets(db).next(CONSUMER, STREAM, 0).orElse(0);
        long rows = store.count(DEVICE);
        long maxSeq = Sql.query(db, "read the last sequence number", "SELECT COALESCE(MAX(seq), -1) FROM telemetry", rs -> rs.getLong(1)).get(0);
        System.out.println("open " + next + " " + rows + " " + maxSeq);
        Instant t0 = Instant.parse("2026-12-03T12:00:00Z");
        while (true) {
            int size = ThreadLocalRandom.current().nextInt(1, 51); // as the processor's batches: one at a trickle, more under load
            List<TelemetryStore.Row> batch = new ArrayList<>(size);
            for (long seq = next; seq < next + size; seq++) {
                batch.add(new TelemetryStore.Row(DEVICE, seq, t0.plusMillis(seq), t0, "{\"temperature\":21.5}"));
            }
            next += size;
            store.insert(batch, new ConsumerOffsets.Position(CONSUMER, STREAM, 0, next));
            System.out.println("committed " + next);
        }
    }

    /** {@link Database#h2}'s settings, with H2's retention time as given (its default is 45 s). */
    static String url(Path dir, int retentionMillis) {
        return Database.h2Url(dir) + ";RETENTION_TIME=" + retentionMillis;
    }
}

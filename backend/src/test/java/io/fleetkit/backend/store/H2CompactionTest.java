package io.fleetkit.backend.store;

import io.fleetkit.backend.testing.Eventually;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Commit by commit, the embedded store's file would grow for ever; compaction keeps its chunks, and its size, bounded. */
class H2CompactionTest {
    @TempDir
    Path dir;

    @Test
    void chunksLeftByCommitsAreRewrittenAndTheFileStopsGrowing() throws Exception {
        try (Database db = Database.h2(dir)) {
            TelemetryStore store = new TelemetryStore(db);
            H2Compaction compaction = new H2Compaction(db.dataSource());
            DeviceId device = DeviceId.of("dev-1");
            Instant t0 = Instant.parse("2026-12-03T12:00:00Z");
            int seq = 0;
            for (; seq < 2_000; seq++) { // one commit each
                store.insert(List.of(new TelemetryStore.Row(device, seq, t0.plusSeconds(seq), t0, "{\"t\":21.5}")));
            }
            long grown = Files.size(dir.resolve("fleetkit.mv.db")); // without compaction, every 2,000 commits add as much again
            int before = compaction.run();
            assertThat(before).as("chunks after 2,000 commits").isGreaterThan(1_000);
            Eventually.until("compacted (once the rewritten chunks are past the 5 s retention)", Duration.ofSeconds(30),
                    () -> compactedAfterASecond(compaction));
            for (int end = seq + 2_000; seq < end; seq++) {
                store.insert(List.of(new TelemetryStore.Row(device, seq, t0.plusSeconds(seq), t0, "{\"t\":21.5}")));
            }
            Eventually.until("compacted again", Duration.ofSeconds(30), () -> compactedAfterASecond(compaction));
            assertThat(Files.size(dir.resolve("fleetkit.mv.db"))).as("after 4,000 commits, against %d bytes after the first 2,000", grown)
                    .isLessThan(grown + grown / 2);
            assertThat(store.count(device)).isEqualTo(4_000);
        }
    }

    /** As the watchdog runs it, apart (there once a minute): each pass commits, so back to back they would only churn. */
    private static boolean compactedAfterASecond(H2Compaction compaction) {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        return compaction.run() < 50;
    }
}

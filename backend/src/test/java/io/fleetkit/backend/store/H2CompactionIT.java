package io.fleetkit.backend.store;

import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commit by commit, the embedded store's file would grow for ever, a chunk a commit; compaction rewrites them.
 * An IT for its time only (temp files, no network): a rewritten chunk's space is free after H2's 45 s retention.
 */
class H2CompactionIT {
    @TempDir
    Path dir;

    @Test
    void chunksLeftByCommitsAreRewritten() throws Exception {
        try (Database db = Database.h2(dir)) {
            TelemetryStore store = new TelemetryStore(db);
            H2Compaction compaction = new H2Compaction(db.dataSource());
            DeviceId device = DeviceId.of("dev-1");
            Instant t0 = Instant.parse("2026-12-03T12:00:00Z");
            int seq = 0;
            for (; seq < 2_000; seq++) { // one commit each
                store.insert(List.of(new TelemetryStore.Row(device, seq, t0.plusSeconds(seq), t0, "{\"t\":21.5}")));
            }
            int before = compaction.run();
            assertThat(before).as("chunks after 2,000 commits").isGreaterThan(1_000);
            Eventually.until("compacted to a tenth (once the rewritten chunks are past H2's 45 s retention)", Duration.ofSeconds(150),
                    () -> compactedAfterAWhile(compaction));
            assertThat(store.count(device)).isEqualTo(2_000);
        }
    }

    /** As the watchdog runs it, apart (there once a minute): each pass commits, so back to back they would only churn. */
    private static boolean compactedAfterAWhile(H2Compaction compaction) {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
        return compaction.run() < 200;
    }
}

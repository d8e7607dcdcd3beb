package io.fleetkit.backend.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store killed (SIGKILL) again and again while it writes as the store processor does. H2 may come back without
 * its last commits — with a short retention time it often does (a kill loop lost up to ~20 committed transactions a
 * kill) — and so a position kept apart from the rows could be past rows that are gone: a lost acknowledged message. Kept
 * in the rows' own transaction ({@link ConsumerOffsets}), the position always says exactly which rows are there: every
 * round checks that the store holds every row below the saved position and none above it.
 */
@Timeout(300)
class H2KillLoopIT {
    private static final int ROUNDS = 12;
    /** H2 reuses a chunk's space this long after it was freed: short, so that what a kill can break happens within the test. */
    private static final int RETENTION_MILLIS = 1_000;

    @TempDir
    Path dir;

    @Test
    void theRowsAndTheirPositionComeBackTogetherAfterEveryKill() throws Exception {
        long lastCommitted = 0;
        long lostRows = 0;
        int roundsLosing = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), KilledStoreWriter.class.getName(), dir.toString(),
                    Integer.toString(RETENTION_MILLIS)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String open = out.readLine();
                assertThat(open).as("round %d: the writer's first line", round).startsWith("open ");
                List<Long> found = java.util.Arrays.stream(open.substring(5).split(" ")).map(Long::parseLong).toList();
                long position = found.get(0);
                assertThat(found.get(1)).as("round %d: rows below the saved position %d", round, position).isEqualTo(position);
                assertThat(found.get(2)).as("round %d: the last row, just below the position", round).isEqualTo(position - 1);
                if (position < lastCommitted) {
                    roundsLosing++;
                    lostRows += lastCommitted - position;
                }
                // killed at a random point of its work: after a random number of commits it has reported
                long seen = position;
                String line;
                for (long commits = ThreadLocalRandom.current().nextLong(50, 3_000); commits > 0 && (line = out.readLine()) != null; commits--) {
                    seen = Long.parseLong(line.substring("committed ".length()));
                }
                writer.toHandle().destroyForcibly(); // SIGKILL (Process.destroyForcibly would also close our end of its output)
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                lastCommitted = lastCommitted(out, seen);
            } finally {
                writer.destroyForcibly();
            }
        }
        System.out.printf("H2 killed %d times (%d rows written): it came back without its last commits %d times, %d committed rows"
                + " in all; rows and positions always together%n", ROUNDS, lastCommitted, roundsLosing, lostRows);
        assertThat(lastCommitted).as("the writer got going").isPositive();
    }

    /** The last position the writer said it committed (a line cut by the kill does not count). */
    private static long lastCommitted(BufferedReader out, long since) throws IOException {
        long last = since;
        String previous = null;
        for (String line; (line = out.readLine()) != null; ) {
            if (previous != null) {
                last = Long.parseLong(previous.substring("committed ".length()));
            }
            previous = line;
        }
        return last;
    }
}

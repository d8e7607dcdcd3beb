package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Telemetry paging as the REST API does it (the next page starts after the last row's time and sequence number): for any
 * page size and any rows — many sharing a timestamp — every row comes exactly once, in order. H2 in a temporary directory.
 */
class TelemetryPagingPropertiesTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static Path dir;
    private static Database db;
    private static TelemetryStore store;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("fleetkit-paging");
        db = Database.h2(dir);
        store = new TelemetryStore(db);
    }

    @AfterContainer
    static void close() throws IOException {
        db.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Seconds from T0 for each row: few distinct values, so that many rows share one. */
    @Provide
    Arbitrary<List<Integer>> times() {
        return Arbitraries.integers().between(0, 5).list().ofMaxSize(60);
    }

    @Property(tries = 150)
    void everyRowOnceInOrderWhateverThePageSize(@ForAll("times") List<Integer> seconds, @ForAll @IntRange(min = 1, max = 7) int pageSize) {
        DeviceId device = DeviceId.of("paging-" + UUID.randomUUID());
        List<TelemetryStore.Row> rows = new ArrayList<>();
        for (int i = 0; i < seconds.size(); i++) {
            // sequence numbers not in time order: a device's clock may step back
            rows.add(new TelemetryStore.Row(device, (i * 7L) % 61, T0.plusSeconds(seconds.get(i)), T0, "{\"n\":" + i + "}"));
        }
        Set<Long> seen = new HashSet<>();
        rows.removeIf(r -> !seen.add(r.seq())); // one row per sequence number, as the store keeps
        store.insert(rows);

        List<TelemetryStore.Row> paged = new ArrayList<>();
        Instant from = Instant.EPOCH;
        long afterSeq = Long.MIN_VALUE;
        Instant to = T0.plusSeconds(3600);
        while (true) {
            List<TelemetryStore.Row> page = store.query(device, from, afterSeq, to, pageSize);
            paged.addAll(page);
            if (page.size() < pageSize) {
                break;
            }
            TelemetryStore.Row last = page.get(page.size() - 1);
            from = last.deviceTime();
            afterSeq = last.seq();
        }
        List<TelemetryStore.Row> expected = rows.stream()
                .sorted(Comparator.comparing(TelemetryStore.Row::deviceTime).thenComparingLong(TelemetryStore.Row::seq)).toList();
        assertThat(paged).extracting(TelemetryStore.Row::seq).containsExactlyElementsOf(expected.stream().map(TelemetryStore.Row::seq).toList());
    }
}

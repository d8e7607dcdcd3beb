package io.fleetkit.backend.stream;

import io.fleetkit.protocol.id.DeviceId;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For any sequence of appends from any devices: each partition holds exactly its devices' records, in append order, at
 * offsets 0, 1, 2 …; and a reopened file stream holds the same. The order a device's messages keep is the promise the
 * processors build on.
 */
class StreamOrderPropertiesTest {

    @Provide
    Arbitrary<List<Integer>> devices() {
        return Arbitraries.integers().between(0, 9).list().ofMaxSize(120);
    }

    @Property(tries = 100)
    void inMemory(@ForAll("devices") List<Integer> senders) {
        try (InMemoryStream s = new InMemoryStream("p", 3)) {
            check(s, senders);
        }
    }

    @Property(tries = 25)
    void onDiskAndAfterAReopen(@ForAll("devices") List<Integer> senders) throws IOException {
        Path dir = Files.createTempDirectory("fleetkit-stream-order");
        try {
            try (FileStream s = FileStream.open(dir, "p", 3, 2_000)) { // small segments: the records roll over segments
                check(s, senders);
            }
            try (FileStream reopened = FileStream.open(dir, "p", 3, 2_000)) {
                assertPartitions(reopened, senders);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void check(Stream s, List<Integer> senders) {
        List<CompletableFuture<Long>> appended = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            appended.add(s.append(record(senders.get(i), i)));
        }
        appended.forEach(CompletableFuture::join);
        assertPartitions(s, senders);
    }

    private static void assertPartitions(Stream s, List<Integer> senders) {
        for (int p = 0; p < s.partitions(); p++) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < senders.size(); i++) {
                if (s.partitionOf(device(senders.get(i))) == p) {
                    expected.add(Integer.toString(i));
                }
            }
            List<StreamRecord> read = s.read(p, 0, 1000);
            assertThat(read).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).as("partition %d", p)
                    .containsExactlyElementsOf(expected);
            for (int k = 0; k < read.size(); k++) {
                assertThat(read.get(k).offset()).isEqualTo(k);
            }
        }
    }

    private static DeviceId device(int n) {
        return DeviceId.of("dev-" + n);
    }

    private static StreamRecord record(int sender, int i) {
        return StreamRecord.of(device(sender), Instant.EPOCH.plusMillis(i), Map.of(), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
    }
}

package io.fleetkit.backend.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class CaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-26T12:34:56Z");
    private static final Set<String> BODY_FIELDS = Set.of("v", "type", "seq", "ts", "readings.*");
    private static final Set<String> PROPERTIES = Set.of("type");

    @TempDir
    Path root;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(T0);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private CaptureConfig config(Duration window, long maxBytes) {
        return new CaptureConfig(root, "fleetkit-ns", "telemetry", window, maxBytes, BODY_FIELDS, PROPERTIES);
    }

    private static void append(InMemoryStream s, String device, int seq) {
        String body = "{\"v\":1,\"type\":\"telemetry\",\"seq\":" + seq + ",\"ts\":\"2026-11-26T12:00:00Z\","
                + "\"readings\":{\"t\":21.5},\"ownerEmail\":\"alice@example.com\",\"ownerName\":\"Alice\"}";
        s.append(StreamRecord.of(DeviceId.of(device), T0, Map.of("type", "telemetry", "ownerId", "user-42", "$.ct", "application/json"),
                body.getBytes(StandardCharsets.UTF_8))).join();
    }

    private List<Path> avroFiles() throws IOException {
        try (var walk = Files.walk(root)) {
            return walk.filter(f -> f.toString().endsWith(".avro")).sorted().toList();
        }
    }

    private static List<GenericRecord> read(Path file) throws IOException {
        List<GenericRecord> out = new ArrayList<>();
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
            assertThat(reader.getSchema().getFullName()).isEqualTo("Microsoft.ServiceBus.Messaging.EventData");
            reader.forEach(out::add);
        }
        return out;
    }

    @Test
    void filesFollowTheCaptureLayoutOpenWithAvroAndHoldOnlyAllowListedData() throws Exception {
        InMemoryStream s = new InMemoryStream("telemetry", 2);
        for (int i = 0; i < 20; i++) {
            append(s, "dev-" + (i % 4), i);
        }
        TestClock clock = new TestClock();
        try (Capture c = Capture.start(s, config(Duration.ofMinutes(5), 1 << 20), clock)) {
            awaitOpenFiles(2); // one window per partition, opened at T0
            clock.now.set(T0.plus(Duration.ofMinutes(6))); // the window ends: files close and are checkpointed
            awaitCheckpoints(s);
        }
        List<Path> files = avroFiles();
        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(root.relativize(f).toString())
                .matches("fleetkit-ns/telemetry/[01]/2026/11/26/12/34/56\\.avro"));
        int records = 0;
        for (Path f : files) {
            for (GenericRecord r : read(f)) {
                records++;
                assertThat(r.get("Offset").toString()).isEqualTo(r.get("SequenceNumber").toString());
                assertThat(r.get("EnqueuedTimeUtc").toString()).isEqualTo("2026-11-26T12:34:56Z");
                Map<?, ?> system = (Map<?, ?>) r.get("SystemProperties");
                assertThat(system.keySet().stream().map(Object::toString)).contains("connectionDeviceId", "contentType");
                Map<?, ?> props = (Map<?, ?>) r.get("Properties");
                assertThat(props.keySet().stream().map(Object::toString)).containsExactly("type");
                JsonNode body = JSON.readTree(((ByteBuffer) r.get("Body")).array());
                List<String> names = new ArrayList<>();
                body.fieldNames().forEachRemaining(names::add);
                assertThat(names).containsExactly("v", "type", "seq", "ts", "readings");
                assertThat(body.toString()).doesNotContain("alice").doesNotContain("Alice").doesNotContain("user-42");
            }
        }
        assertThat(records).isEqualTo(20);
        try (var walk = Files.walk(root)) {
            assertThat(walk.filter(f -> f.toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void theSizeLimitRollsFilesAndEveryRecordIsCapturedOnceInOrder() throws Exception {
        InMemoryStream s = new InMemoryStream("telemetry", 1);
        for (int i = 0; i < 300; i++) {
            append(s, "dev-1", i);
        }
        try (Capture c = Capture.start(s, config(Duration.ofHours(1), 1024), new TestClock())) {
            awaitCheckpointsAtLeast(s, 250);
        }
        List<Path> files = avroFiles();
        assertThat(files).hasSizeGreaterThan(1);
        List<Long> offsets = new ArrayList<>();
        for (Path f : files.stream().sorted((a, b) -> Long.compare(firstOffset(a), firstOffset(b))).toList()) {
            read(f).forEach(r -> offsets.add((Long) r.get("SequenceNumber")));
        }
        assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 300).boxed().toList());
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsNotArchived() throws Exception {
        InMemoryStream s = new InMemoryStream("telemetry", 1);
        s.append(StreamRecord.of(DeviceId.of("dev-1"), T0, Map.of(), "not json: alice@example.com".getBytes(StandardCharsets.UTF_8))).join();
        try (Capture c = Capture.start(s, config(Duration.ofMinutes(1), 1 << 20), new TestClock())) {
            awaitOpenFiles(1);
        }
        List<GenericRecord> records = read(avroFiles().get(0));
        assertThat(records).singleElement().satisfies(r -> assertThat(r.get("Body")).isNull());
    }

    @Test
    void anUnfinishedFileFromACrashIsRemovedAndItsRecordsCapturedAgain() throws Exception {
        Path leftover = root.resolve("fleetkit-ns/telemetry/0/2026/11/26/12/00/00.avro.tmp");
        Files.createDirectories(leftover.getParent());
        Files.writeString(leftover, "half a file");
        InMemoryStream s = new InMemoryStream("telemetry", 1);
        append(s, "dev-1", 0);
        try (Capture c = Capture.start(s, config(Duration.ofMinutes(1), 1 << 20), new TestClock())) {
            assertThat(leftover).doesNotExist();
            awaitOpenFiles(1); // the record is being captured again before the capture is closed
        }
        assertThat(read(avroFiles().get(0))).as("a whole Avro file, not the half one").hasSize(1);
    }

    @Test
    void onlyScalarsAtAllowedPathsAreArchivedAndDeviceStringsOnlyFromAFixedSet() throws Exception {
        InMemoryStream s = new InMemoryStream("telemetry", 1);
        String body = "{\"v\":1,\"type\":\"telemetry\",\"seq\":{\"n\":7,\"owner\":\"alice@example.com\"},\"ts\":\"2026-11-26T12:00:00Z\","
                + "\"readings\":{\"t\":21.5,\"on\":true,\"ownerEmail\":\"alice@example.com\",\"profile\":{\"name\":\"Alice\"},"
                + "\"history\":[1,2]},\"owner\":{\"name\":\"Alice\"}}";
        s.append(StreamRecord.of(DeviceId.of("dev-1"), T0, Map.of("type", "telemetry", "$.ct", "application/x-alice+json",
                "$.ce", "Alice's-encoding"), body.getBytes(StandardCharsets.UTF_8))).join();
        s.append(StreamRecord.of(DeviceId.of("dev-1"), T0, Map.of("type", "telemetry", "$.ct", "Application/JSON; charset=utf-8",
                "$.ce", "UTF-8"), "{\"seq\":8}".getBytes(StandardCharsets.UTF_8))).join();
        TestClock clock = new TestClock();
        CaptureConfig config = new CaptureConfig(root, "ns", "hub", Duration.ofMinutes(5), 1 << 20,
                Set.of("type", "seq", "ts", "readings.t", "readings.on", "readings.profile"), Set.of("type"));
        try (Capture c = Capture.start(s, config, clock)) {
            awaitOpenFiles(1);
            clock.now.set(T0.plus(Duration.ofMinutes(6)));
            awaitCheckpoints(s);
        }
        List<GenericRecord> records = read(avroFiles().get(0));
        JsonNode kept = JSON.readTree(((ByteBuffer) records.get(0).get("Body")).array());
        assertThat(kept.toString()).as("seq is an object here: dropped; readings.profile is an object: dropped")
                .isEqualTo("{\"type\":\"telemetry\",\"ts\":\"2026-11-26T12:00:00Z\",\"readings\":{\"t\":21.5,\"on\":true}}");
        Map<?, ?> strange = (Map<?, ?>) records.get(0).get("SystemProperties");
        assertThat(strange.keySet().stream().map(Object::toString)).as("a device's own content type and encoding are not copied")
                .doesNotContain("contentType", "contentEncoding");
        Map<?, ?> known = (Map<?, ?>) records.get(1).get("SystemProperties");
        assertThat(known.get(new org.apache.avro.util.Utf8("contentType")).toString()).isEqualTo("application/json");
        assertThat(known.get(new org.apache.avro.util.Utf8("contentEncoding")).toString()).isEqualTo("utf-8");
        if (root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            try (var walk = Files.walk(root.resolve("ns"))) {
                for (Path p : walk.toList()) {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .as("%s is owner-only", p).matches(Files.isDirectory(p) ? "rwx------" : "rw-------");
                }
            }
        }
    }

    @Test
    void badConfigurationIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new CaptureConfig(root, "bad/ns", "h", Duration.ofMinutes(1), 1 << 20, Set.of(), Set.of()))
                .hasMessageContaining("capture namespace");
        assertThatThrownBy(() -> new CaptureConfig(root, "ns", "h", Duration.ofMillis(10), 1 << 20, Set.of(), Set.of()))
                .hasMessageContaining("capture window: at least 1 s");
        assertThatThrownBy(() -> new CaptureConfig(root, "ns", "h", Duration.ofMinutes(1), 1 << 20, Set.of("readings..t"), Set.of()))
                .hasMessageContaining("readings..t").hasMessageContaining("empty member name");
        assertThatThrownBy(() -> new CaptureConfig(root, "ns", "h", Duration.ofMinutes(1), 10, Set.of(), Set.of()))
                .hasMessageContaining("capture size");
    }

    private static long firstOffset(Path f) {
        try {
            return (Long) read(f).get(0).get("SequenceNumber");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitCheckpoints(InMemoryStream s) {
        Eventually.until("checkpoints at every partition's end", () -> {
            for (int p = 0; p < s.partitions(); p++) {
                if (s.committed(Capture.GROUP, p) < s.endOffset(p)) {
                    return false;
                }
            }
            return true;
        });
    }

    private void awaitOpenFiles(int count) {
        Eventually.until(count + " open capture files", () -> {
            try (var walk = Files.walk(root)) {
                return walk.filter(f -> f.toString().endsWith(".avro.tmp")).count() >= count;
            } catch (IOException | java.io.UncheckedIOException e) {
                return false; // a file renamed while walking
            }
        });
    }

    private static void awaitCheckpointsAtLeast(InMemoryStream s, long offset) {
        Eventually.until("checkpoint at " + offset, () -> s.committed(Capture.GROUP, 0) >= offset);
    }
}

package io.fleetkit.backend.capture;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlockListType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.stream.InMemoryStream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.backend.testing.TestAzurite;
import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.testing.Eventually;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Capture into Azure Blob Storage — Azurite, the Azure Storage emulator, through the official SDK — read back with the same
 * SDK: the Event Hubs Capture layout, Avro files any Avro reader opens, only allow-listed data; while a window is open its
 * blocks are staged and no blob is visible, the checkpoint moves only after the commit.
 */
@Timeout(60)
class BlobCaptureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-26T12:34:56Z");

    private static void append(InMemoryStream s, String device, int seq) {
        String body = "{\"v\":1,\"type\":\"telemetry\",\"seq\":" + seq + ",\"ts\":\"2026-11-26T12:00:00Z\","
                + "\"readings\":{\"t\":" + (20 + seq % 7) + ".5},\"ownerEmail\":\"alice@example.com\"}";
        s.append(StreamRecord.of(DeviceId.of(device), T0, Map.of("type", "telemetry", "ownerId", "user-42", "$.ct", "application/json"),
                body.getBytes(StandardCharsets.UTF_8))).join();
    }

    @Test
    void windowsBecomeWholeAvroBlobsInTheCaptureLayoutCommittedBeforeTheCheckpoint() throws Exception {
        BlobCaptureStore store = BlobCaptureStore.connect(TestAzurite.newContainerUrl("capture"), TestAzurite.connectionString(), 512);
        BlobContainerClient container = store.container();
        InMemoryStream s = new InMemoryStream("telemetry", 2);
        for (int i = 0; i < 400; i++) {
            append(s, "dev-" + (i % 4), i);
        }
        CaptureTest.TestClock clock = new CaptureTest.TestClock();
        CaptureConfig config = new CaptureConfig(store, "fleetkit-ns", "telemetry", Duration.ofMinutes(5), 1 << 20,
                Set.of("v", "type", "seq", "ts", "readings.*"), Set.of("type"));
        try (Capture c = Capture.start(s, config, clock)) {
            String first = "fleetkit-ns/telemetry/0/2026/11/26/12/34/56.avro";
            Eventually.until("blocks staged while the window is open", Duration.ofSeconds(20),
                    () -> stagedBlocks(container, first) > 1);
            assertThat(container.listBlobs()).as("no blob is visible before its window closes").isEmpty();
            assertThat(s.committed(Capture.GROUP, 0)).as("no checkpoint before the commit").isZero();

            clock.now.set(T0.plus(Duration.ofMinutes(6))); // the windows end: blobs are committed, then checkpointed
            Eventually.until("both partitions checkpointed", Duration.ofSeconds(20),
                    () -> s.committed(Capture.GROUP, 0) == s.endOffset(0) && s.committed(Capture.GROUP, 1) == s.endOffset(1));
        }
        List<String> names = container.listBlobs().stream().map(BlobItem::getName).sorted().toList();
        assertThat(names).containsExactly("fleetkit-ns/telemetry/0/2026/11/26/12/34/56.avro", "fleetkit-ns/telemetry/1/2026/11/26/12/34/56.avro");
        int records = 0;
        for (String name : names) {
            byte[] avro = container.getBlobClient(name).downloadContent().toBytes();
            try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new SeekableByteArrayInput(avro), new GenericDatumReader<>())) {
                assertThat(reader.getSchema().getFullName()).isEqualTo("Microsoft.ServiceBus.Messaging.EventData");
                for (GenericRecord r : reader) {
                    records++;
                    Map<?, ?> props = (Map<?, ?>) r.get("Properties");
                    assertThat(props.keySet().stream().map(Object::toString)).containsExactly("type");
                    JsonNode body = JSON.readTree(((ByteBuffer) r.get("Body")).array());
                    List<String> fields = new ArrayList<>();
                    body.fieldNames().forEachRemaining(fields::add);
                    assertThat(fields).containsExactly("v", "type", "seq", "ts", "readings");
                    assertThat(body.toString()).doesNotContain("alice").doesNotContain("user-42");
                }
            }
        }
        assertThat(records).isEqualTo(400);
    }

    @Test
    void aContainerUrlWithoutAContainerOrACredentialSaysSo() {
        assertThatThrownBy(() -> BlobCaptureStore.connect("https://acct.blob.core.windows.net", "x"))
                .isInstanceOf(FleetkitException.class).hasMessageContaining("expected https://ACCOUNT.blob.core.windows.net/CONTAINER");
        assertThatThrownBy(() -> BlobCaptureStore.connect("https://acct.blob.core.windows.net/capture", null))
                .hasMessageContaining("no credential");
        assertThatThrownBy(() -> BlobCaptureStore.connect("http://127.0.0.1:1/devstoreaccount1/capture", TestAzurite.connectionString()))
                .isInstanceOf(FleetkitException.class).hasMessageContaining("cannot be reached or created");
    }

    private static int stagedBlocks(BlobContainerClient container, String name) {
        try {
            return container.getBlobClient(name).getBlockBlobClient().listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks().size();
        } catch (RuntimeException e) {
            return 0; // nothing staged yet
        }
    }
}

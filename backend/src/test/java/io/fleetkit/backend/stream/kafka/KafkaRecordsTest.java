package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Records carry IoT Hub's routed-message headers (what a consumer written for Azure's routing to Event Hubs reads). */
class KafkaRecordsTest {
    private static final Instant ENQUEUED = Instant.parse("2026-12-04T08:15:30.123456Z");

    @Test
    void aDevicesMessageCarriesIotHubsHeaderNamesAndTheBodyAsSent() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("$.ct", "application/json");
        props.put("$.ce", "utf-8");
        props.put("$.mid", "m-1");
        props.put("$.cid", "c-1");
        props.put("type", "telemetry");
        byte[] body = "{\"seq\":1}".getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> k = KafkaRecords.toKafka("fleetkit.telemetry", 2,
                StreamRecord.of(DeviceId.of("thermo-1"), ENQUEUED, props, body));
        assertThat(header(k.headers(), "iothub-connection-device-id")).isEqualTo("thermo-1");
        assertThat(header(k.headers(), "iothub-enqueuedtime")).isEqualTo("2026-12-04T08:15:30.123456Z");
        assertThat(header(k.headers(), "iothub-message-source")).isEqualTo("Telemetry");
        assertThat(header(k.headers(), "content-type")).isEqualTo("application/json");
        assertThat(header(k.headers(), "content-encoding")).isEqualTo("utf-8");
        assertThat(header(k.headers(), "message-id")).isEqualTo("m-1");
        assertThat(header(k.headers(), "correlation-id")).isEqualTo("c-1");
        assertThat(header(k.headers(), "type")).as("an application property under its own name").isEqualTo("telemetry");
        assertThat(new String(k.key(), StandardCharsets.UTF_8)).isEqualTo("thermo-1");
        assertThat(k.value()).isEqualTo(body);
        assertThat(k.timestamp()).isEqualTo(ENQUEUED.toEpochMilli());
        assertThat(k.partition()).isEqualTo(2);

        StreamRecord back = KafkaRecords.fromKafka(consumed(k, 7));
        assertThat(back.offset()).isEqualTo(7);
        assertThat(back.deviceId()).isEqualTo(DeviceId.of("thermo-1"));
        assertThat(back.enqueuedTime()).isEqualTo(ENQUEUED);
        assertThat(back.properties()).isEqualTo(props);
        assertThat(back.body()).isEqualTo(body);
    }

    @Test
    void aHubEventKeepsItsOwnMessageSource() {
        StreamRecord event = StreamRecord.of(DeviceId.of("thermo-1"), ENQUEUED,
                Map.of(RecordProperties.MESSAGE_SOURCE, "deviceConnectionStateEvents"), new byte[0]);
        ProducerRecord<byte[], byte[]> k = KafkaRecords.toKafka("fleetkit.lifecycle", 0, event);
        assertThat(k.headers().headers("iothub-message-source")).hasSize(1);
        assertThat(header(k.headers(), "iothub-message-source")).isEqualTo("deviceConnectionStateEvents");
        assertThat(KafkaRecords.fromKafka(consumed(k, 0)).properties())
                .containsEntry(RecordProperties.MESSAGE_SOURCE, "deviceConnectionStateEvents");
    }

    @Test
    void aForeignRecordIsNamedByWhereItIs() {
        ConsumerRecord<byte[], byte[]> foreign = new ConsumerRecord<>("fleetkit.telemetry", 1, 42, 0L, TimestampType.CREATE_TIME,
                0, 0, null, new byte[]{1}, new RecordHeaders(), Optional.empty());
        assertThatThrownBy(() -> KafkaRecords.fromKafka(foreign))
                .hasMessage("fleetkit.telemetry partition 1 offset 42: no iothub-connection-device-id header and no key: not a device's message");
    }

    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p, long offset) {
        return new ConsumerRecord<>(p.topic(), p.partition(), offset, p.timestamp(), TimestampType.CREATE_TIME, 0, 0, p.key(), p.value(),
                p.headers(), Optional.empty());
    }

    private static String header(Iterable<Header> headers, String key) {
        for (Header h : headers) {
            if (h.key().equals(key)) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}

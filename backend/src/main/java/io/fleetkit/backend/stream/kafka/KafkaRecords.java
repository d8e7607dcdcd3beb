package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.stream.RecordProperties;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link StreamRecord} as a Kafka record and back, the way IoT Hub hands a routed message to Event Hubs: the body as the
 * device sent it, the device id as the key, and its system properties under the names IoT Hub gives them
 * (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-messages-construct#system-properties-of-d2c-iot-hub-messages):
 * {@code iothub-connection-device-id}, {@code iothub-enqueuedtime}, {@code iothub-message-source} ({@code Telemetry} for a
 * device's message), {@code content-type}, {@code content-encoding}, {@code message-id}, {@code correlation-id}, … — and
 * each application property as a header of its own name. So a consumer written for Azure's routed messages reads ours.
 *
 * <p>fleetkit's choices where Kafka has no AMQP types: header values are UTF-8 strings, times ISO-8601 (UTC, as precise as
 * the hub took them; the record's timestamp is the same instant in milliseconds). A system property IoT Hub has no routed
 * name for keeps its MQTT key ({@code $.on}, …). An application property named like a system header (an application
 * property called {@code content-type}) reads back as that system property: one header namespace, where AMQP has two.
 */
final class KafkaRecords {
    static final String DEVICE_ID = "iothub-connection-device-id";
    static final String ENQUEUED_TIME = "iothub-enqueuedtime";
    /** The message source of a device's own message (the hub's events carry theirs among the record's properties). */
    static final String TELEMETRY = "Telemetry";
    /** MQTT property-bag key → the name IoT Hub routes it under. */
    private static final Map<String, String> SYSTEM = Map.ofEntries(
            Map.entry("$.mid", "message-id"),
            Map.entry("$.cid", "correlation-id"),
            Map.entry("$.uid", "user-id"),
            Map.entry("$.to", "to"),
            Map.entry("$.ct", "content-type"),
            Map.entry("$.ce", "content-encoding"),
            Map.entry("$.ctime", "iothub-creation-time-utc"),
            Map.entry("$.exp", "absolute-expiry-time"),
            Map.entry("$.cmid", "iothub-connection-module-id"),
            Map.entry("$.ifid", "dt-dataschema"),
            Map.entry("$.sub", "dt-subject"));
    private static final Map<String, String> BY_HEADER = invert(SYSTEM);

    private KafkaRecords() {
    }

    static ProducerRecord<byte[], byte[]> toKafka(String topic, int partition, StreamRecord r) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DEVICE_ID, utf8(r.deviceId().value()));
        headers.add(ENQUEUED_TIME, utf8(r.enqueuedTime().toString()));
        if (!r.properties().containsKey(RecordProperties.MESSAGE_SOURCE)) {
            headers.add(RecordProperties.MESSAGE_SOURCE, utf8(TELEMETRY));
        }
        r.properties().forEach((key, value) -> headers.add(SYSTEM.getOrDefault(key, key), utf8(value)));
        return new ProducerRecord<>(topic, partition, r.enqueuedTime().toEpochMilli(), utf8(r.deviceId().value()), r.body(), headers);
    }

    /** @throws IllegalArgumentException for a record not written by {@link #toKafka} (no device id, an unreadable time) */
    static StreamRecord fromKafka(ConsumerRecord<byte[], byte[]> k) {
        String deviceId = null;
        Instant enqueued = null;
        Map<String, String> properties = new LinkedHashMap<>();
        for (Header h : k.headers()) {
            String value = h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
            switch (h.key()) {
                case DEVICE_ID -> deviceId = value;
                case ENQUEUED_TIME -> enqueued = instant(value, k);
                case RecordProperties.MESSAGE_SOURCE -> {
                    if (!TELEMETRY.equals(value)) {
                        properties.put(h.key(), value);
                    }
                }
                default -> properties.put(BY_HEADER.getOrDefault(h.key(), h.key()), value);
            }
        }
        if (deviceId == null && k.key() != null) {
            deviceId = new String(k.key(), StandardCharsets.UTF_8);
        }
        if (deviceId == null) {
            throw new IllegalArgumentException(where(k) + ": no " + DEVICE_ID + " header and no key: not a device's message");
        }
        return new StreamRecord(k.offset(), DeviceId.of(deviceId), enqueued != null ? enqueued : Instant.ofEpochMilli(k.timestamp()),
                properties, k.value() == null ? new byte[0] : k.value());
    }

    private static Instant instant(String value, ConsumerRecord<byte[], byte[]> k) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where(k) + ": " + ENQUEUED_TIME + " '" + value + "' is not an ISO-8601 instant");
        }
    }

    private static String where(ConsumerRecord<?, ?> k) {
        return k.topic() + " partition " + k.partition() + " offset " + k.offset();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> invert(Map<String, String> m) {
        Map<String, String> inverse = new LinkedHashMap<>();
        m.forEach((k, v) -> inverse.put(v, k));
        return Map.copyOf(inverse);
    }
}

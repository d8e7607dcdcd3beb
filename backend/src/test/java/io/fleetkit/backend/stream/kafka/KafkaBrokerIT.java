package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.testing.TestKafka;
import io.fleetkit.testing.Eventually;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker the stream tests run on (a real Apache Kafka in KRaft mode, its own process: {@code scripts/kafka/run}) does
 * what they will rely on: a topic made with its partitions, records acknowledged by every replica ({@code acks=all},
 * idempotent) land in the partition asked for, in order, with their headers, and a consumer reads them back.
 */
@Timeout(60)
class KafkaBrokerIT {
    @Test
    void aTopicTakesAcknowledgedRecordsInOrderWithTheirHeaders() throws Exception {
        String bootstrap = TestKafka.bootstrap();
        String topic = "fleetkit.test." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(20, TimeUnit.SECONDS);
            assertThat(admin.describeTopics(Set.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions()).hasSize(4);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 10; i++) {
                    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, 2, "dev-1", ("m" + i).getBytes(StandardCharsets.UTF_8));
                    r.headers().add("iothub-connection-device-id", "dev-1".getBytes(StandardCharsets.UTF_8));
                    RecordMetadata acked = producer.send(r).get(20, TimeUnit.SECONDS);
                    assertThat(acked.partition()).isEqualTo(2);
                    assertThat(acked.offset()).isEqualTo(i);
                }
            }
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition p2 = new TopicPartition(topic, 2);
                consumer.assign(List.of(p2));
                consumer.seekToBeginning(List.of(p2));
                List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
                Eventually.until("the 10 records read back", Duration.ofSeconds(20), () -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                    return read.size() >= 10;
                });
                assertThat(read).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
                assertThat(new String(read.get(0).headers().lastHeader("iothub-connection-device-id").value(), StandardCharsets.UTF_8))
                        .isEqualTo("dev-1");
            }
            admin.deleteTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
        }
    }
}

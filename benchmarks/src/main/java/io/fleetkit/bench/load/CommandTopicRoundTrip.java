package io.fleetkit.bench.load;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The mechanism the cluster did not choose for commands, measured: a command record to a topic and its answer on a second
 * topic, each produced with {@code acks=all} and read by a consumer that polls continuously — the floor of a command-topic
 * round trip on this broker, before any hub work. Both topics are made for the measurement and deleted after it.
 */
final class CommandTopicRoundTrip {
    private CommandTopicRoundTrip() {
    }

    /** p50 and p99 in milliseconds of {@code count} request → answer round trips, one at a time. */
    static double[] measure(String bootstrap, String topic, int count) {
        String requests = topic + ".requests";
        String answers = topic + ".answers";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(requests, 1, (short) 1), new NewTopic(answers, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaConsumer<byte[], byte[]> node = consumer(bootstrap, requests);
                 KafkaConsumer<byte[], byte[]> caller = consumer(bootstrap, answers)) {
                Histogram h = new Histogram(3);
                byte[] body = "{\"methodName\":\"getDiagnostics\",\"payload\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (int i = 0; i < count + 20; i++) { // the first 20 warm the connections up
                    long start = System.nanoTime();
                    producer.send(new ProducerRecord<>(requests, body)).get();
                    ConsumerRecord<byte[], byte[]> request = next(node);
                    producer.send(new ProducerRecord<>(answers, request.value())).get();
                    next(caller);
                    if (i >= 20) {
                        h.recordValue((System.nanoTime() - start) / 1000);
                    }
                }
                return new double[]{h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0};
            } finally {
                admin.deleteTopics(List.of(requests, answers)).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot measure a command-topic round trip on " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition p = new TopicPartition(topic, 0);
        c.assign(List.of(p));
        c.seekToEnd(List.of(p));
        c.position(p);
        return c;
    }

    private static ConsumerRecord<byte[], byte[]> next(KafkaConsumer<byte[], byte[]> consumer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                return r;
            }
        }
        throw new IllegalStateException("no record within 30 s");
    }
}

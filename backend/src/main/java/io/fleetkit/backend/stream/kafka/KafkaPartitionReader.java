package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.stream.PartitionReader;
import io.fleetkit.backend.stream.StreamRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One partition of a topic for one worker: a consumer of its own, assigned to that partition (no group: the worker's group
 * membership is {@link KafkaGroupMember}'s), positioned where the worker asks. Fetches are bounded by the consumer's
 * {@code fetch.max.bytes} and {@code max.poll.records}; records fleetkit did not write (no device id) are skipped, logged.
 */
final class KafkaPartitionReader implements PartitionReader {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPartitionReader.class);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final ArrayDeque<StreamRecord> fetched = new ArrayDeque<>();
    /** The offset the next record handed out has at least; -1 before the first read. */
    private long position = -1;

    KafkaPartitionReader(KafkaEngine engine, String topic, int partition, int maxRecords) {
        this.partition = new TopicPartition(topic, partition);
        this.consumer = engine.consumer("reader-" + topic + "-p" + partition, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords));
        consumer.assign(List.of(this.partition));
    }

    @Override
    public List<StreamRecord> read(long offset, int max, Duration wait) {
        if (offset != position) {
            fetched.clear();
            consumer.seek(partition, offset);
            position = offset;
        }
        if (fetched.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> k : consumer.poll(wait).records(partition)) {
                try {
                    fetched.add(KafkaRecords.fromKafka(k));
                } catch (IllegalArgumentException e) {
                    LOG.warn("skipping a record fleetkit did not write: {}", e.getMessage());
                }
            }
        }
        List<StreamRecord> batch = new ArrayList<>(Math.min(max, fetched.size()));
        while (batch.size() < max && !fetched.isEmpty()) {
            batch.add(fetched.poll());
        }
        if (!batch.isEmpty()) {
            position = batch.get(batch.size() - 1).offset() + 1;
        }
        return batch;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.health.Health;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every topic partition's start and end offsets, asked of the broker twice a second on a thread of its own (so that the
 * dashboard, the metrics and a processor's backlog never wait for the network), and whether the broker answers — the
 * engine's health. Appends acknowledged in this process move an end at once ({@link #appended}).
 */
final class OffsetWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetWatcher.class);
    private static final Duration EVERY = Duration.ofMillis(500);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaEngine engine;
    private final Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> starts = new ConcurrentHashMap<>();
    private final CountDownLatch first = new CountDownLatch(1);
    private volatile Health health = Health.ok();
    private volatile boolean running = true;
    private Thread thread;

    OffsetWatcher(KafkaEngine engine) {
        this.engine = engine;
    }

    void start(Collection<KafkaStream> streams) {
        List<TopicPartition> partitions = new ArrayList<>();
        streams.forEach(s -> {
            for (int p = 0; p < s.partitions(); p++) {
                partitions.add(new TopicPartition(s.name(), p));
            }
        });
        thread = new Thread(() -> watch(partitions), "kafka-offsets");
        thread.setDaemon(true);
        thread.start();
        try {
            first.await(ASK_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch(List<TopicPartition> partitions) {
        try (KafkaConsumer<byte[], byte[]> c = engine.consumer("offsets", Map.of())) {
            while (running) {
                try {
                    Map<TopicPartition, Long> end = c.endOffsets(partitions, ASK_TIMEOUT);
                    Map<TopicPartition, Long> start = c.beginningOffsets(partitions, ASK_TIMEOUT);
                    end.forEach((tp, o) -> ends.merge(tp, o, Math::max));
                    starts.putAll(start);
                    if (!health.up()) {
                        LOG.info("the Kafka broker at {} answers again", engine.settings().bootstrapServers());
                    }
                    health = Health.ok();
                } catch (KafkaException e) {
                    if (!running) {
                        return;
                    }
                    if (health.up()) {
                        LOG.warn("the Kafka broker at {} does not answer: {}", engine.settings().bootstrapServers(), e.toString());
                        health = Health.down("the Kafka broker at " + engine.settings().bootstrapServers() + " does not answer ("
                                + e.getMessage() + ")", Instant.now());
                    }
                }
                first.countDown();
                try {
                    Thread.sleep(EVERY.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.error("the Kafka offset watcher stopped", e);
            health = Health.down("the offset watcher stopped (" + e + ")", Instant.now());
        }
    }

    /** A record of this process was acknowledged at {@code offset}. */
    void appended(TopicPartition tp, long offset) {
        ends.merge(tp, offset + 1, Math::max);
    }

    long end(TopicPartition tp) {
        return ends.getOrDefault(tp, 0L);
    }

    long start(TopicPartition tp) {
        return starts.getOrDefault(tp, 0L);
    }

    Health health() {
        if (running && thread != null && !thread.isAlive() && health.up()) {
            return Health.down("the offset watcher thread has ended", Instant.now());
        }
        return health;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

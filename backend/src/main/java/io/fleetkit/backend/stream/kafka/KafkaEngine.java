package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.health.Health;
import io.fleetkit.protocol.FleetkitException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fleetkit's connection to a Kafka cluster or an Event Hubs namespace: one idempotent producer every stream appends through,
 * the topics of the endpoints (checked, and created where the profile allows), and a watcher of their offsets. Streams,
 * readers and group members get their clients from here, each with the properties it knows of the settings.
 */
public final class KafkaEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEngine.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final OffsetWatcher offsets;
    /** Appends sent again while the producer has no metadata for their topic (after a broker restart); see {@link KafkaStream}. */
    private final java.util.concurrent.ScheduledExecutorService resends = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            new io.netty.util.concurrent.DefaultThreadFactory("fleetkit-kafka-resend", true));
    private final Map<String, KafkaStream> streams = new LinkedHashMap<>();

    private KafkaEngine(KafkaSettings settings) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(), new ByteArraySerializer());
        this.offsets = new OffsetWatcher(this);
    }

    /**
     * Connects, and opens a stream per endpoint (endpoint → partitions it should have): topics that are missing are created
     * when the settings allow, or named in the error.
     *
     * @throws FleetkitException UNAVAILABLE when no broker answers within 15 s; INVALID_INPUT when topics are missing and may not be created
     */
    public static KafkaEngine open(KafkaSettings settings, Map<String, Integer> endpoints) {
        KafkaEngine engine = new KafkaEngine(settings);
        try {
            Map<String, Integer> partitions = engine.topics(endpoints);
            endpoints.keySet().forEach(endpoint -> {
                String topic = settings.topic(endpoint);
                engine.streams.put(endpoint, new KafkaStream(engine, topic, partitions.get(topic)));
            });
            engine.offsets.start(engine.streams.values());
            for (KafkaStream s : engine.streams.values()) {
                engine.warmUp(s.name());
            }
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** The stream of each endpoint opened. */
    public Map<String, KafkaStream> streams() {
        return java.util.Collections.unmodifiableMap(streams);
    }

    public KafkaSettings settings() {
        return settings;
    }

    /** The topics' partition counts, after creating what is missing (or refusing). */
    private Map<String, Integer> topics(Map<String, Integer> endpoints) {
        Map<String, Integer> wanted = new TreeMap<>();
        endpoints.forEach((endpoint, n) -> wanted.put(settings.topic(endpoint), n));
        Map<String, Integer> found = existing(wanted.keySet());
        Map<String, Integer> missing = new TreeMap<>(wanted);
        missing.keySet().removeAll(found.keySet());
        if (!missing.isEmpty()) {
            if (!settings.createTopics()) {
                throw new FleetkitException(FleetkitException.Kind.INVALID_INPUT, "missing topics at " + settings.bootstrapServers() + ": "
                        + String.join(", ", missing.keySet()) + (settings.profile() == KafkaSettings.Profile.EVENT_HUBS
                        ? " — create these event hubs in the namespace (Event Hubs refuses topic management through Kafka's admin API)"
                        : " — create them, or let fleetkit (without --no-create-topics)"));
            }
            create(missing);
            found.putAll(missing);
        }
        wanted.forEach((topic, n) -> {
            if (!found.get(topic).equals(n)) {
                LOG.warn("topic {} has {} partitions, not {}: devices are spread over its {} (a device's partition differs from the"
                        + " file log's)", topic, found.get(topic), n, found.get(topic));
            }
        });
        return found;
    }

    private Map<String, Integer> existing(Set<String> topics) {
        try (KafkaConsumer<byte[], byte[]> c = consumer("fleetkit-topics", Map.of())) {
            Map<String, List<PartitionInfo>> all = c.listTopics(CONNECT_TIMEOUT);
            Map<String, Integer> found = new HashMap<>();
            topics.forEach(t -> {
                if (all.containsKey(t)) {
                    found.put(t, all.get(t).size());
                }
            });
            return found;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unavailable("no Kafka broker answers at " + settings.bootstrapServers() + " within " + CONNECT_TIMEOUT.toSeconds()
                    + " s: start one ('./fleetkit kafka') or check --kafka-bootstrap / the Kafka config", e);
        } catch (KafkaException e) {
            throw unavailable("cannot list the topics at " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    private void create(Map<String, Integer> topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        topics.forEach((t, n) -> newTopics.add(new NewTopic(t, Optional.of(n), Optional.empty())));
        try (Admin admin = Admin.create(config(AdminClientConfig.configNames(), Map.of(AdminClientConfig.CLIENT_ID_CONFIG, clientId("admin"))))) {
            for (var created : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    created.getValue().get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    LOG.info("created topic {} with {} partitions", created.getKey(), topics.get(created.getKey()));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another process made it meanwhile: fine
                        throw unavailable("cannot create topic " + created.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw unavailable("creating topics " + topics.keySet() + " took over " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while creating topics", e);
        }
    }

    /**
     * Fetches a topic's metadata into the producer before the first append: appends never wait for metadata (their send must
     * not block the hub's event loop: {@code max.block.ms} is 0), so without this the first ones would fail.
     */
    private void warmUp(String topic) {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        while (true) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw unavailable("the producer got no metadata for " + topic + " within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw unavailable("interrupted while fetching metadata for " + topic, ie);
                }
            }
        }
    }

    java.util.concurrent.ScheduledExecutorService resends() {
        return resends;
    }

    KafkaProducer<byte[], byte[]> producer() {
        return producer;
    }

    OffsetWatcher offsets() {
        return offsets;
    }

    /** A consumer with the settings' consumer properties, fleetkit's defaults, then {@code overrides}. */
    KafkaConsumer<byte[], byte[]> consumer(String purpose, Map<String, Object> overrides) {
        Map<String, Object> defaults = new HashMap<>();
        defaults.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(purpose));
        defaults.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        defaults.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // bounded: at most this much fetched and not yet handed out, per consumer
        defaults.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 << 20);
        defaults.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        defaults.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        defaults.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        Map<String, Object> c = config(ConsumerConfig.configNames(), defaults);
        c.putAll(overrides);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<String, Object> producerConfig(KafkaSettings settings) {
        String acks = settings.client().getOrDefault(ProducerConfig.ACKS_CONFIG, "all");
        String idempotent = settings.client().getOrDefault(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (!acks.equals("all") && !acks.equals("-1") || !idempotent.equals("true")) {
            throw new FleetkitException(FleetkitException.Kind.INVALID_INPUT, "Kafka settings: acks=" + acks + ", enable.idempotence="
                    + idempotent + ": fleetkit acknowledges a device's message only once every in-sync replica has it, exactly once"
                    + " (acks=all, enable.idempotence=true); leave them unset");
        }
        Map<String, Object> defaults = new HashMap<>();
        defaults.put(ProducerConfig.CLIENT_ID_CONFIG, clientId("producer"));
        defaults.put(ProducerConfig.ACKS_CONFIG, "all");
        defaults.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // send() runs on the hub's event loop: it must never wait (for metadata, for buffer room); a send that cannot go now
        // fails, the device gets no PUBACK and sends again. The hub's ingest budget keeps the buffer from filling.
        defaults.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        defaults.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 86_400_000); // keep an idle endpoint's metadata (see above)
        Map<String, Object> c = config(ProducerConfig.configNames(), defaults);
        return c;
    }

    /** The producer's buffer for records not yet acknowledged, in bytes: what the hub may hand to the streams at once. */
    public long bufferBytes() {
        return Long.parseLong(settings.client().getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(32L << 20)));
    }

    /** fleetkit's defaults, then every settings property the client knows (so no client warns of ones it does not). */
    private Map<String, Object> config(Set<String> known, Map<String, Object> defaults) {
        Map<String, Object> c = new HashMap<>(defaults);
        settings.client().forEach((k, v) -> {
            if (known.contains(k)) {
                c.put(k, v);
            }
        });
        return c;
    }

    static String clientId(String purpose) {
        return "fleetkit-" + purpose + "-" + CLIENTS.incrementAndGet();
    }

    /** UP while the broker answers; DOWN with the error and since when while it does not. */
    public Health health() {
        return offsets.health();
    }

    private static FleetkitException unavailable(String message, Throwable cause) {
        return new FleetkitException(FleetkitException.Kind.UNAVAILABLE, message, cause);
    }

    /** Stops watching offsets and closes the producer, waiting up to 10 s for records in flight. */
    @Override
    public void close() {
        offsets.close();
        resends.shutdownNow();
        producer.close(Duration.ofSeconds(10));
    }
}

package io.fleetkit.backend.stream.kafka;

import io.fleetkit.protocol.FleetkitException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How fleetkit reaches its stream engine: the Kafka client properties (any of the producer's, consumer's or admin client's;
 * each client is given those it knows), the topic name of each endpoint ({@code fleetkit.{endpoint}} unless given), and
 * whether topics may be created.
 *
 * <p>Two profiles. {@link Profile#KAFKA}: any Apache Kafka; missing topics are created with the endpoint's partition count
 * unless {@code createTopics} is off. {@link Profile#EVENT_HUBS}: Azure Event Hubs' Kafka endpoint, which refuses topic
 * management through the admin API (an event hub is made in Azure), so topics are only checked; and its limits are checked
 * before anything connects — requests under 1,046,528 bytes, a request timeout of at least 20 s, idle connections and
 * metadata refreshed within its 240 s idle close
 * (https://learn.microsoft.com/azure/event-hubs/apache-kafka-configurations).
 */
public record KafkaSettings(Profile profile, Map<String, String> client, String topicPattern, boolean createTopics) {
    public static final String DEFAULT_TOPICS = "fleetkit.{endpoint}";
    /** Event Hubs closes a connection idle for 240 s; fleetkit's clients refresh and close idle ones before that. */
    static final int EVENT_HUBS_IDLE_MS = 180_000;
    /** The largest request Event Hubs' Kafka endpoint takes. */
    static final int EVENT_HUBS_MAX_REQUEST_BYTES = 1_046_528;

    public enum Profile {
        /** Apache Kafka (or anything speaking its protocol with topic management). */
        KAFKA,
        /** Azure Event Hubs' Kafka endpoint: SASL_SSL, PLAIN with {@code $ConnectionString}; topics made in Azure only. */
        EVENT_HUBS
    }

    public KafkaSettings {
        Objects.requireNonNull(profile, "profile");
        client = Map.copyOf(client);
        if (!topicPattern.contains("{endpoint}")) {
            throw invalid("topic names '" + topicPattern + "': must contain {endpoint}, or every endpoint would share one topic");
        }
        if (!client.containsKey("bootstrap.servers") || client.get("bootstrap.servers").isBlank()) {
            throw invalid("Kafka settings: bootstrap.servers is missing (HOST:PORT of a broker)");
        }
        if (profile == Profile.EVENT_HUBS) {
            checkEventHubs(client);
        }
    }

    /** Plain Kafka at {@code bootstrap} (HOST:PORT[,HOST:PORT…]), topics created when missing. */
    public static KafkaSettings bootstrap(String bootstrap) {
        return new KafkaSettings(Profile.KAFKA, Map.of("bootstrap.servers", bootstrap), DEFAULT_TOPICS, true);
    }

    /**
     * The Event Hubs profile for a namespace's connection string ({@code Endpoint=sb://NAMESPACE.servicebus.windows.net/;
     * SharedAccessKeyName=…;SharedAccessKey=…}): bootstrap {@code NAMESPACE.servicebus.windows.net:9093}, SASL_SSL, PLAIN with
     * the user {@code $ConnectionString}, and the limits Event Hubs asks for.
     */
    public static KafkaSettings eventHubs(String connectionString) {
        String endpoint = field(connectionString, "Endpoint");
        String host = endpoint.replaceFirst("^sb://", "").replaceFirst("/.*$", "");
        if (host.isBlank() || host.equals(endpoint)) {
            throw invalid("Event Hubs connection string: Endpoint must be sb://NAMESPACE.servicebus.windows.net/, was '" + endpoint + "'");
        }
        field(connectionString, "SharedAccessKeyName");
        field(connectionString, "SharedAccessKey");
        Map<String, String> client = new LinkedHashMap<>(eventHubsDefaults());
        client.put("bootstrap.servers", host + ":9093");
        client.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\""
                + " password=\"" + connectionString.replace("\\", "\\\\").replace("\"", "\\\"") + "\";");
        return new KafkaSettings(Profile.EVENT_HUBS, client, DEFAULT_TOPICS, false);
    }

    /** What the Event Hubs profile sets besides the address and the credentials. */
    static Map<String, String> eventHubsDefaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "PLAIN");
        m.put("max.request.size", "1000000");
        m.put("request.timeout.ms", "60000");
        m.put("metadata.max.age.ms", Integer.toString(EVENT_HUBS_IDLE_MS));
        m.put("connections.max.idle.ms", Integer.toString(EVENT_HUBS_IDLE_MS));
        m.put("session.timeout.ms", "30000");
        m.put("heartbeat.interval.ms", "3000");
        return m;
    }

    /**
     * Settings from a Java properties file of Kafka client properties. The profile is {@code fleetkit.profile} in the file
     * ({@code kafka} or {@code eventhubs}), else Event Hubs when the bootstrap address is a {@code *.servicebus.windows.net}
     * host; the Event Hubs profile's defaults fill what the file does not set.
     */
    public static KafkaSettings load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw invalid("Kafka config " + file + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw invalid("Kafka config " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        Map<String, String> client = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> client.put(k, p.getProperty(k).trim()));
        String named = client.remove("fleetkit.profile");
        Profile profile;
        if (named == null) {
            profile = client.getOrDefault("bootstrap.servers", "").contains(".servicebus.windows.net") ? Profile.EVENT_HUBS : Profile.KAFKA;
        } else if (named.equalsIgnoreCase("kafka")) {
            profile = Profile.KAFKA;
        } else if (named.equalsIgnoreCase("eventhubs")) {
            profile = Profile.EVENT_HUBS;
        } else {
            throw invalid("Kafka config " + file + ": fleetkit.profile must be 'kafka' or 'eventhubs', was '" + named + "'");
        }
        if (profile == Profile.EVENT_HUBS) {
            Map<String, String> withDefaults = new LinkedHashMap<>(eventHubsDefaults());
            withDefaults.putAll(client);
            return new KafkaSettings(profile, withDefaults, DEFAULT_TOPICS, false);
        }
        return new KafkaSettings(profile, client, DEFAULT_TOPICS, true);
    }

    public KafkaSettings withTopics(String pattern) {
        return new KafkaSettings(profile, client, pattern, createTopics);
    }

    /** Whether missing topics are created; never with the Event Hubs profile. */
    public KafkaSettings withCreateTopics(boolean create) {
        if (create && profile == Profile.EVENT_HUBS) {
            throw invalid("topics cannot be created on Event Hubs (it refuses topic management through Kafka's admin API): make the"
                    + " event hubs in Azure");
        }
        return new KafkaSettings(profile, client, topicPattern, create);
    }

    /** One client property added or replaced. */
    public KafkaSettings with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(client);
        m.put(key, value);
        return new KafkaSettings(profile, m, topicPattern, createTopics);
    }

    public String bootstrapServers() {
        return client.get("bootstrap.servers");
    }

    /** The topic of an endpoint. */
    public String topic(String endpoint) {
        return topicPattern.replace("{endpoint}", endpoint);
    }

    /** For logs and errors: every property, with secrets (passwords, JAAS configs, keys) masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        client.forEach((k, v) -> shown.put(k, k.contains("password") || k.contains("jaas") || k.contains("key") ? "*****" : v));
        return "KafkaSettings[" + profile + ", topics " + topicPattern + (createTopics ? ", creating missing topics" : "") + ", " + shown + "]";
    }

    private static void checkEventHubs(Map<String, String> client) {
        int maxRequest = intOf(client, "max.request.size", 1_048_576);
        if (maxRequest >= EVENT_HUBS_MAX_REQUEST_BYTES) {
            throw invalid("Event Hubs profile: max.request.size " + maxRequest + " must be under " + EVENT_HUBS_MAX_REQUEST_BYTES
                    + " bytes, the largest request Event Hubs takes");
        }
        int requestTimeout = intOf(client, "request.timeout.ms", 30_000);
        if (requestTimeout < 20_000) {
            throw invalid("Event Hubs profile: request.timeout.ms " + requestTimeout + " must be at least 20000: Event Hubs may take"
                    + " that long to answer under throttling");
        }
        for (String age : new String[]{"metadata.max.age.ms", "connections.max.idle.ms"}) {
            int ms = intOf(client, age, Integer.MAX_VALUE);
            if (ms >= 240_000) {
                throw invalid("Event Hubs profile: " + age + " " + (ms == Integer.MAX_VALUE ? "(unset)" : ms) + " must be under 240000:"
                        + " Event Hubs closes connections idle for 240 s");
            }
        }
        if (!"SASL_SSL".equals(client.get("security.protocol")) || !"PLAIN".equals(client.get("sasl.mechanism"))) {
            throw invalid("Event Hubs profile: security.protocol must be SASL_SSL and sasl.mechanism PLAIN, were "
                    + client.get("security.protocol") + " and " + client.get("sasl.mechanism"));
        }
    }

    private static int intOf(Map<String, String> client, String key, int absent) {
        String v = client.get(key);
        if (v == null) {
            return absent;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw invalid("Kafka settings: " + key + " must be a whole number, was '" + v + "'");
        }
    }

    private static String field(String connectionString, String name) {
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(name)) {
                return part.substring(eq + 1).trim();
            }
        }
        throw invalid("Event Hubs connection string: no " + name + " (expected Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…)");
    }

    private static FleetkitException invalid(String message) {
        return new FleetkitException(FleetkitException.Kind.INVALID_INPUT, message);
    }
}

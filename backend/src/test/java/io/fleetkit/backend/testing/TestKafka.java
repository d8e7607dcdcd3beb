package io.fleetkit.backend.testing;

import io.fleetkit.backend.stream.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka broker the tests use: {@code FLEETKIT_TEST_KAFKA} (host:port), by default 127.0.0.1:9092, where the test command
 * ({@code ./fleetkit test}, {@code .ci/run}) starts one ({@code scripts/kafka/run}). A test that needs it fails at once with
 * what to do when nothing answers there, never hangs.
 */
public final class TestKafka {
    private TestKafka() {
    }

    /** Settings for the test broker with topics of their own, {@code {prefix}-{random}.{endpoint}}, created when missing. */
    public static KafkaSettings settings(String prefix) {
        return KafkaSettings.bootstrap(bootstrap()).withTopics(prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + ".{endpoint}");
    }

    /** The broker's bootstrap address, checked to answer within 10 s. */
    public static String bootstrap() {
        String address = System.getenv().getOrDefault("FLEETKIT_TEST_KAFKA", "127.0.0.1:9092");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
            return address;
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no Kafka broker answers at " + address + " (FLEETKIT_TEST_KAFKA): start one with "
                    + "'./fleetkit kafka --background' (./fleetkit test does), or point FLEETKIT_TEST_KAFKA at yours — " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while looking for the Kafka broker at " + address, e);
        }
    }
}

package io.fleetkit.backend.stream.kafka;

import io.fleetkit.backend.testing.TestKafka;
import io.fleetkit.protocol.FleetkitException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topics on the test broker: created with the endpoint's partitions when allowed, only checked and named when not. */
@Timeout(60)
class KafkaTopicsIT {
    @Test
    void missingTopicsAreCreatedWithTheEndpointsPartitionCount() throws Exception {
        KafkaSettings settings = TestKafka.settings("topics");
        try (KafkaEngine engine = KafkaEngine.open(settings, Map.of("telemetry", 4, "alerts", 2));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            var described = admin.describeTopics(java.util.List.of(settings.topic("telemetry"), settings.topic("alerts"))).allTopicNames().get();
            assertThat(described.get(settings.topic("telemetry")).partitions()).hasSize(4);
            assertThat(described.get(settings.topic("alerts")).partitions()).hasSize(2);
            assertThat(engine.streams().get("alerts").partitions()).isEqualTo(2);
        }
    }

    @Test
    void withoutCreatingTheMissingTopicsAreNamedAndNothingIsCreated() throws Exception {
        KafkaSettings settings = TestKafka.settings("check-only").withCreateTopics(false);
        KafkaEngine.open(settings.withCreateTopics(true), Map.of("telemetry", 4)).close(); // one of the two exists
        assertThatThrownBy(() -> KafkaEngine.open(settings, Map.of("telemetry", 4, "alerts", 4)))
                .isInstanceOf(FleetkitException.class)
                .hasMessage("missing topics at " + settings.bootstrapServers() + ": " + settings.topic("alerts")
                        + " — create them, or let fleetkit (without --no-create-topics)");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains(settings.topic("telemetry")).doesNotContain(settings.topic("alerts"));
        }
    }

    @Test
    void noBrokerIsAClearErrorWithinFifteenSecondsNotAHang() {
        assertThatThrownBy(() -> KafkaEngine.open(KafkaSettings.bootstrap("127.0.0.1:1"), Map.of("telemetry", 4)))
                .isInstanceOf(FleetkitException.class)
                .hasMessageStartingWith("no Kafka broker answers at 127.0.0.1:1 within 15 s: start one ('./fleetkit kafka')");
    }
}

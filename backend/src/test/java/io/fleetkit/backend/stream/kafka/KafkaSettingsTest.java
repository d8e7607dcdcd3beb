package io.fleetkit.backend.stream.kafka;

import io.fleetkit.protocol.FleetkitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings fleetkit gives its Kafka clients, and the Event Hubs profile's checks (no broker needed). */
class KafkaSettingsTest {
    private static final String CONNECTION = "Endpoint=sb://fleet-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            + "SharedAccessKey=c2VjcmV0LWtleQ==";

    @TempDir
    Path tmp;

    @Test
    void theEventHubsProfileSetsWhatEventHubsAsksFor() {
        KafkaSettings s = KafkaSettings.eventHubs(CONNECTION);
        assertThat(s.profile()).isEqualTo(KafkaSettings.Profile.EVENT_HUBS);
        assertThat(s.bootstrapServers()).isEqualTo("fleet-ns.servicebus.windows.net:9093");
        assertThat(s.client()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN");
        assertThat(s.client().get("sasl.jaas.config"))
                .isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" password=\""
                        + CONNECTION + "\";");
        assertThat(Integer.parseInt(s.client().get("max.request.size"))).isLessThan(1_046_528);
        assertThat(Integer.parseInt(s.client().get("request.timeout.ms"))).isGreaterThanOrEqualTo(20_000);
        assertThat(Integer.parseInt(s.client().get("metadata.max.age.ms"))).isLessThan(240_000);
        assertThat(Integer.parseInt(s.client().get("connections.max.idle.ms"))).isLessThan(240_000);
        assertThat(s.createTopics()).as("Event Hubs refuses topic management").isFalse();
        assertThat(s.topic("telemetry")).isEqualTo("fleetkit.telemetry");
        assertThat(s.toString()).doesNotContain("c2VjcmV0LWtleQ").contains("SASL_SSL", "fleet-ns.servicebus.windows.net:9093");
    }

    @Test
    void theEventHubsProfileNeverCreatesTopicsAndRefusesSettingsEventHubsWouldReject() {
        KafkaSettings s = KafkaSettings.eventHubs(CONNECTION);
        assertThatThrownBy(() -> s.withCreateTopics(true)).isInstanceOf(FleetkitException.class)
                .hasMessageContaining("topics cannot be created on Event Hubs");
        assertThatThrownBy(() -> s.with("max.request.size", "1048576"))
                .hasMessage("Event Hubs profile: max.request.size 1048576 must be under 1046528 bytes, the largest request Event Hubs takes");
        assertThatThrownBy(() -> s.with("request.timeout.ms", "5000")).hasMessageContaining("request.timeout.ms 5000 must be at least 20000");
        assertThatThrownBy(() -> s.with("connections.max.idle.ms", "540000"))
                .hasMessageContaining("connections.max.idle.ms 540000 must be under 240000: Event Hubs closes connections idle for 240 s");
        assertThatThrownBy(() -> s.with("metadata.max.age.ms", "300000")).hasMessageContaining("metadata.max.age.ms 300000 must be under");
        assertThatThrownBy(() -> s.with("security.protocol", "PLAINTEXT")).hasMessageContaining("security.protocol must be SASL_SSL");
        assertThatThrownBy(() -> s.with("request.timeout.ms", "soon")).hasMessage("Kafka settings: request.timeout.ms must be a whole number, was 'soon'");
    }

    @Test
    void aBrokenConnectionStringSaysWhatIsMissing() {
        assertThatThrownBy(() -> KafkaSettings.eventHubs("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k"))
                .hasMessageContaining("Event Hubs connection string: no SharedAccessKey");
        assertThatThrownBy(() -> KafkaSettings.eventHubs("HostName=hub.azure-devices.net;SharedAccessKeyName=k;SharedAccessKey=s"))
                .hasMessageContaining("no Endpoint");
    }

    @Test
    void aPropertiesFileNamesItsProfileOrIsKnownByItsHost() throws Exception {
        Path kafka = Files.writeString(tmp.resolve("kafka.properties"), "bootstrap.servers=10.0.0.5:9092\nlinger.ms=5\n");
        KafkaSettings k = KafkaSettings.load(kafka);
        assertThat(k.profile()).isEqualTo(KafkaSettings.Profile.KAFKA);
        assertThat(k.createTopics()).isTrue();
        assertThat(k.client()).containsEntry("linger.ms", "5");

        Path hubs = Files.writeString(tmp.resolve("eh.properties"), "bootstrap.servers=fleet-ns.servicebus.windows.net:9093\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" "
                + "password=\"" + CONNECTION + "\";\n");
        KafkaSettings eh = KafkaSettings.load(hubs);
        assertThat(eh.profile()).isEqualTo(KafkaSettings.Profile.EVENT_HUBS);
        assertThat(eh.client()).as("the profile's defaults fill the rest").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("metadata.max.age.ms", "180000");
        assertThat(eh.createTopics()).isFalse();

        Path named = Files.writeString(tmp.resolve("named.properties"), "fleetkit.profile=eventhubs\nbootstrap.servers=gw.example:9093\n"
                + "request.timeout.ms=1000\n");
        assertThatThrownBy(() -> KafkaSettings.load(named)).hasMessageContaining("request.timeout.ms 1000 must be at least 20000");
        Path wrong = Files.writeString(tmp.resolve("wrong.properties"), "fleetkit.profile=pulsar\nbootstrap.servers=a:1\n");
        assertThatThrownBy(() -> KafkaSettings.load(wrong)).hasMessage("Kafka config " + wrong + ": fleetkit.profile must be 'kafka' or"
                + " 'eventhubs', was 'pulsar'");
        Path noBroker = Files.writeString(tmp.resolve("empty.properties"), "linger.ms=5\n");
        assertThatThrownBy(() -> KafkaSettings.load(noBroker)).hasMessageContaining("bootstrap.servers is missing");
        assertThatThrownBy(() -> KafkaSettings.load(tmp.resolve("absent.properties"))).hasMessageContaining("no such file");
    }

    @Test
    void topicNamesComeFromOnePatternWithTheEndpointInIt() {
        KafkaSettings s = KafkaSettings.bootstrap("127.0.0.1:9092").withTopics("prod.{endpoint}.v1");
        assertThat(s.topic("alerts")).isEqualTo("prod.alerts.v1");
        assertThatThrownBy(() -> s.withTopics("prod")).hasMessageContaining("must contain {endpoint}");
    }
}

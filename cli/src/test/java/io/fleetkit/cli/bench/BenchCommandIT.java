package io.fleetkit.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.cli.FleetkitCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every load-run scenario at a small size, end to end: the systems start in their own processes (the
 * fleetkit hub, HiveMQ CE, Mosquitto, the Azure SDK peer), the generator drives them, and the JSON
 * result holds a measured figure for each. The figures themselves are not judged here (this machine
 * is shared; BENCHMARKS.md holds the measured ones): that every system answered, and nothing failed.
 */
class BenchCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One workspace (and PKI) for all scenarios, as a user's would be. */
    @TempDir
    static Path work;

    private static JsonNode run(String scenario, String... options) throws IOException {
        String[] args = Stream.concat(Stream.of("bench", scenario, "--work", work.toString(), "--runs", "1"), Stream.of(options))
                .toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FleetkitCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("| ").contains("written: ");
        try (Stream<Path> files = Files.list(work.resolve("results"))) {
            Path json = files.filter(p -> p.getFileName().toString().startsWith(scenario + "-") && p.toString().endsWith(".json"))
                    .max(Path::compareTo).orElseThrow();
            JsonNode result = JSON.readTree(json.toFile());
            assertThat(result.get("command").asText()).startsWith("fleetkit bench " + scenario);
            assertThat(result.get("machine").get("cores").asInt()).isPositive();
            return result;
        }
    }

    @Test
    void connectStormOnEverySystem() throws IOException {
        JsonNode r = run("connect", "--devices", "100", "--window", "20"); // enough connections that heap per connection stands out of GC noise
        for (String system : new String[] {"fleetkit", "hivemq", "mosquitto"}) {
            JsonNode median = r.get("systems").get(system).get("median");
            assertThat(median.get("connectsPerSecond").asDouble()).as(system).isPositive();
            assertThat(median.get("failed").asDouble()).as(system).isZero();
            assertThat(median.get("serverCores").asDouble()).as(system).isPositive();
            assertThat(r.get("serverRssKBPerConnectionFirstStorm").has(system)).isTrue();
        }
        assertThat(r.get("systems").get("hivemq").get("median").get("serverHeapKBPerConnection").asDouble()).isPositive();
    }

    @Test
    void telemetryOnEverySystemWithTheHubsLatency() throws IOException {
        JsonNode r = run("telemetry", "--devices", "20", "--window", "4", "--duration", "2", "--latency-duration", "2");
        for (String system : new String[] {"fleetkit", "fleetkit-pipeline", "hivemq", "mosquitto"}) {
            JsonNode median = r.get("systems").get(system).get("median");
            assertThat(median.get("ackedPerSecond").asDouble()).as(system).isPositive();
            assertThat(median.get("pubackP50Ms").asDouble()).as(system).isPositive();
        }
        assertThat(r.get("systems").get("fleetkit-pipeline").get("median").get("storedPerSecond").asDouble()).isPositive();
        JsonNode ingest = r.get("latency").get(0);
        JsonNode pipeline = r.get("latency").get(1);
        assertThat(ingest.get("system").asText()).isEqualTo("fleetkit");
        assertThat(ingest.get("pubackP50Ms").asDouble()).isPositive();
        assertThat(pipeline.get("system").asText()).isEqualTo("fleetkit-pipeline");
        assertThat(pipeline.get("ratePerSecond").asDouble()).isEqualTo(ingest.get("ratePerSecond").asDouble());
        assertThat(pipeline.get("samples").asLong()).isPositive();
        assertThat(pipeline.get("p99Ms").asDouble()).isGreaterThanOrEqualTo(pipeline.get("p50Ms").asDouble());
        // each stage of the phase: the hub's alone in ingest; the probe's and the store's too behind the backend, every message
        assertThat(stage(ingest, "hub", "appended").get("messages").asLong()).isPositive();
        assertThat(stage(ingest, "hub", "puback").get("messages").asLong()).isPositive();
        assertThat(stage(ingest, "store", "stored")).as("no backend behind the ingest").isNull();
        for (String[] s : new String[][] {{"hub", "appended"}, {"hub", "puback"}, {"latency-probe", "accepted"}, {"latency-probe", "handled"},
                {"store", "handed"}, {"store", "stored"}, {"store", "end_to_end"}}) {
            assertThat(stage(pipeline, s[0], s[1]).get("messages").asLong()).as(s[0] + " " + s[1]).isEqualTo(pipeline.get("samples").asLong());
        }
        JsonNode e2e = stage(pipeline, "store", "end_to_end");
        assertThat(e2e.get("p99Ms").asDouble()).isGreaterThanOrEqualTo(e2e.get("p50Ms").asDouble())
                .isGreaterThanOrEqualTo(stage(pipeline, "store", "stored").get("p50Ms").asDouble());
    }

    /** One stage of a latency phase in the report, or null. */
    private static JsonNode stage(JsonNode latency, String part, String stage) {
        for (JsonNode s : latency.get("stages")) {
            if (s.get("part").asText().equals(part) && s.get("stage").asText().equals(stage)) {
                return s;
            }
        }
        return null;
    }

    @Test
    void telemetryOnKafkaAndPostgresLeavesNoTopicOrSchemaBehind() throws Exception {
        String kafka = System.getenv().getOrDefault("FLEETKIT_TEST_KAFKA", "127.0.0.1:9092");
        String postgres = System.getenv().getOrDefault("FLEETKIT_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getenv().getOrDefault("FLEETKIT_TEST_POSTGRES_USER", "postgres");
        JsonNode r = run("telemetry", "--systems", "fleetkit-kafka", "--devices", "20", "--window", "4", "--duration", "2",
                "--latency-duration", "2", "--kafka-bootstrap", kafka, "--database-url", postgres, "--database-user", user);
        JsonNode median = r.get("systems").get("fleetkit-kafka").get("median");
        assertThat(median.get("ackedPerSecond").asDouble()).isPositive();
        assertThat(median.get("storedPerSecond").asDouble()).isPositive();
        JsonNode latency = r.get("latency").get(0);
        assertThat(latency.get("system").asText()).isEqualTo("fleetkit-kafka");
        assertThat(latency.get("ratePerSecond").asDouble()).as("half its stored rate")
                .isEqualTo(median.get("storedPerSecond").asDouble() / 2, org.assertj.core.data.Offset.offset(0.01));
        assertThat(latency.get("samples").asLong()).isPositive();
        assertThat(stage(latency, "store", "end_to_end").get("messages").asLong()).as("the stages on Kafka too")
                .isEqualTo(latency.get("samples").asLong());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).noneMatch(t -> t.startsWith("bench-"));
        }
        try (Connection c = DriverManager.getConnection(postgres, user, System.getenv().getOrDefault("FLEETKIT_TEST_POSTGRES_PASSWORD", ""));
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'fk_bench_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the bench's schemas dropped").isZero();
        }
    }

    @Test
    void provisioningUnthrottledAndThrottled() throws IOException {
        JsonNode r = run("provision", "--devices", "20", "--profiles", "off,s1");
        assertThat(r.get("profiles").get("off").get("median").get("registrationsPerSecond").asDouble()).isPositive();
        assertThat(r.get("profiles").get("off").get("runs")).hasSize(1);
        assertThat(r.get("profiles").get("s1").get("runs")).as("throttled: one run, no warm-up").hasSize(1);
    }

    @Test
    void directMethodsAnsweredByTheFirmware() throws IOException {
        JsonNode r = run("methods", "--devices", "20", "--rate", "50", "--duration", "2");
        JsonNode median = r.get("systems").get("fleetkit").get("median");
        assertThat(median.get("roundTripsPerSecond").asDouble()).isPositive();
        assertThat(median.get("ok").asDouble()).isEqualTo(r.get("systems").get("fleetkit").get("runs").get(0).get("calls").asDouble());
    }

    @Test
    void azureSdkPerDeviceAgainstTheSwarm() throws IOException {
        JsonNode r = run("sdk", "--devices", "10");
        for (String sim : new String[] {"azure-sdk", "fleetkit-swarm"}) {
            JsonNode median = r.get("simulators").get(sim).get("median");
            assertThat(median.get("failed").asDouble()).as(sim).isZero();
            assertThat(median.get("devicesPerGiB").asDouble()).as(sim).isPositive();
            assertThat(median.get("threads").asDouble()).as(sim).isPositive();
        }
    }
}

package io.fleetkit.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.cli.FleetkitCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two-minute soak of every build: 1,000 thermostats at ten times the model's rate against the hub + backend in its own
 * process, sampled every 10 s. It passes only if the memory trends stay within (loose) limits, no device gave up, and the
 * rows stored are exactly the telemetry acknowledged; the 30-minute figures are in BENCHMARKS.md.
 */
class SoakBenchIT {
    @TempDir
    Path work;

    @Test
    void twoMinutesHoldWithNothingLost() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FleetkitCommand.execute(new String[]{"bench", "soak", "--work", work.toString(), "--devices", "1000",
                "--rate-multiplier", "10", "--duration", "2m", "--sample-every", "10s", "--warm-up", "30s",
                        // a minute and a half of samples cannot resolve a slow trend: this run catches gross leaks, the
                        // 30-minute one (BENCHMARKS.md) holds the defaults of 1 and 2 MB/min
                        "--heap-growth-limit", "8", "--resident-growth-limit", "16"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        System.out.print(err); // the samples, in the build's log
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("all 1000 online").contains("minute ").contains("stopping the telemetry");
        Path json;
        try (Stream<Path> files = Files.list(work.resolve("results"))) {
            json = files.filter(p -> p.getFileName().toString().matches("soak-.*\\.json")).findFirst().orElseThrow();
        }
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("samples")).hasSize(12);
        assertThat(r.get("failures")).isEmpty();
        JsonNode end = r.get("ending");
        assertThat(end.get("telemetryAcknowledged").asLong()).as("2 min × ~167 messages/s").isGreaterThan(10_000);
        assertThat(end.get("rows").asLong()).isEqualTo(end.get("telemetryAcknowledged").asLong());
        for (JsonNode s : r.get("samples")) {
            assertThat(s.get("online").asInt()).isEqualTo(1000);
            assertThat(s.get("heapAfterGcMb").asDouble()).isPositive();
            assertThat(s.get("descriptors").asInt()).as("at least one per device connection").isGreaterThan(1000);
        }
        BufferedImage plot = ImageIO.read(json.resolveSibling(json.getFileName().toString().replace(".json", ".png")).toFile());
        assertThat(plot.getWidth()).isEqualTo(1000);
        assertThat(plot.getHeight()).isEqualTo(900);
    }
}

package io.fleetkit.cli.bench;

import io.fleetkit.cli.FleetkitCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench command's refusals: each names the option and the reason, starts nothing and writes nothing. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FleetkitCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheScenarios() {
        Run r = run("bench", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("connect", "telemetry", "provision", "methods", "sdk", "soak");
        assertThat(run("bench", "telemetry", "--help").out()).contains("--window", "--latency-rate", "--systems", "--jfr");
    }

    @Test
    void refusesBadOptionsBeforeStartingAnything() {
        Path work = tmp.resolve("work");
        assertRefused(run("bench", "connect", "--work", work.toString(), "--devices", "0"), "--devices must be 1–19000");
        assertRefused(run("bench", "connect", "--work", work.toString(), "--devices", "20000"), "the 20,000 descriptors");
        assertRefused(run("bench", "telemetry", "--work", work.toString(), "--systems", "fleetkit,emqx"), "--systems: unknown system 'emqx'");
        assertRefused(run("bench", "telemetry", "--work", work.toString(), "--systems", "hivemq,hivemq"), "--systems names 'hivemq' twice");
        assertRefused(run("bench", "telemetry", "--work", work.toString(), "--devices", "6000"), "4 systems side by side");
        assertRefused(run("bench", "telemetry", "--work", work.toString(), "--window", "1001"), "--window must be 1–1000");
        assertRefused(run("bench", "telemetry", "--work", work.toString(), "--latency-rate", "0"), "--latency-rate must be");
        assertRefused(run("bench", "provision", "--work", work.toString(), "--profiles", "off,s9"), "--profiles:");
        assertRefused(run("bench", "methods", "--work", work.toString(), "--method", "no spaces"), "--method:");
        assertRefused(run("bench", "connect", "--work", work.toString(), "--runs", "0"), "--runs must be 1–20");
        assertRefused(run("bench", "soak", "--work", work.toString(), "--rate-multiplier", "0"), "--rate-multiplier must be above 0");
        assertRefused(run("bench", "soak", "--work", work.toString(), "--duration", "2m", "--sample-every", "1m"),
                "--sample-every must be 1–30 seconds (at least four samples in the duration)");
        assertRefused(run("bench", "soak", "--work", work.toString(), "--duration", "2m", "--sample-every", "10s", "--warm-up", "2m"),
                "--warm-up must be 0–100 seconds (at least two samples after it)");
        assertThat(work).doesNotExist();
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        Run r = run("bench", "telemetry", "--work", tmp.toString(), "--duration", "ten seconds");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--duration");
        assertThat(Files.exists(tmp.resolve("pki"))).isFalse();
    }

    private static void assertRefused(Run r, String message) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("Exception");
    }
}

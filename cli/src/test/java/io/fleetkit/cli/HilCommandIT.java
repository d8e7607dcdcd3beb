package io.fleetkit.cli;

import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.testport.TestPortCodec;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;

import static io.fleetkit.cli.FleetkitCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code fleetkit hil conform} and {@code fleetkit hil replay} from the command line, with the firmware model as the device. */
class HilCommandIT {
    @TempDir
    Path tmp;

    @Test
    void conformExitsZeroForAnIdenticalDeviceAndOneWithTheDifferences() throws Exception {
        Path scenario = tmp.resolve("basic.scenario");
        Files.writeString(scenario, """
                expect telemetry within 3s
                invoke identify {"durationSeconds": 1}
                """);
        Path json = tmp.resolve("report.json");
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream realErr = System.err;
        try (Listening same = device(new MethodOverrides())) {
            FleetkitCommandTest.Run r;
            System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                r = run("hil", "conform", scenario.toString(), "--tcp", "127.0.0.1:" + same.port(),
                        "--rate-multiplier", "30", "--json", json.toString());
            } finally {
                System.setErr(realErr);
            }
            realErr.print(stderr.toString(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).as("the run ends without a stack trace")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("conformance: basic.scenario, 2 steps", "no differences", "report written to " + json);
            assertThat(Files.readString(json)).contains("\"conforms\" : true");
        }
        MethodOverrides busy = new MethodOverrides();
        busy.set(MethodName.of("identify"), MethodOverride.fixed(503, "{\"blinkingForSeconds\":1}"));
        try (Listening different = device(busy)) {
            FleetkitCommandTest.Run r = run("hil", "conform", scenario.toString(), "--tcp", "127.0.0.1:" + different.port(),
                    "--rate-multiplier", "30");
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out()).contains("1 difference:", "line 2: method-status identify: device 503, reference 200");
        }
    }

    @Test
    void mistakesAreNamed() {
        FleetkitCommandTest.Run noScenario = run("hil", "conform", tmp.resolve("none.scenario").toString(), "--tcp", "127.0.0.1:1");
        assertThat(noScenario.exit()).isEqualTo(1);
        assertThat(noScenario.err()).contains("none.scenario: no such scenario").doesNotContain("Exception");
        FleetkitCommandTest.Run bare = run("hil");
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.err()).contains("the bridge needs --port PATH or --tcp HOST:PORT, --pki DIR and --id ID");
        FleetkitCommandTest.Run both = run("hil", "--port", "/dev/null", "--tcp", "127.0.0.1:1", "--pki", "x", "--id", "y");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        FleetkitCommandTest.Run noRecording = run("hil", "replay", tmp.resolve("none.jsonl").toString());
        assertThat(noRecording.exit()).isEqualTo(1);
        assertThat(noRecording.err()).contains("none.jsonl: no such recording");
    }

    @Test
    void replayPrintsTheTimelineWithoutPings() throws Exception {
        Path file = tmp.resolve("bench.frames.jsonl");
        try (FrameRecorder recorder = new FrameRecorder(file, Clock.systemUTC())) {
            recorder.frame(FrameRecorder.From.DEVICE, TestPortCodec.toFrame(new TestPortMessage.Hello(1, DeviceId.of("bench-1"), "1.4.2", "thermostat")));
            recorder.frame(FrameRecorder.From.BRIDGE, TestPortCodec.toFrame(new TestPortMessage.Ping(1, false)));
            recorder.frame(FrameRecorder.From.BRIDGE, TestPortCodec.toFrame(new TestPortMessage.Button(TestPortMessage.ButtonAction.PRESSED)));
            recorder.corrupt(FrameRecorder.From.DEVICE, "CRC mismatch: frame says 0x1234, computed 0x4321", 12);
        }
        FleetkitCommandTest.Run r = run("hil", "replay", file.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("device HELLO", "bench-1", "bridge BUTTON", "device corrupt: CRC mismatch", "4 entries")
                .doesNotContain("PING");
        assertThat(run("hil", "replay", file.toString(), "--pings").out()).contains("bridge PING");
        FleetkitCommandTest.Run again = run("hil", "--tcp", "127.0.0.1:1", "--pki", tmp.toString(), "--id", "x", "--record", file.toString());
        assertThat(again.exit()).isNotZero();
    }

    /** The firmware model as the device, listening for the bridge's side on a free port. */
    private record Listening(ModelDevice device, int port) implements AutoCloseable {
        @Override
        public void close() {
            device.close();
        }
    }

    private static Listening device(MethodOverrides overrides) throws Exception {
        // the built-in thermostat in a fast test mode (telemetry every 2 s): conform runs its reference the same way
        DeviceModel model = DeviceModels.builtIn("thermostat");
        TcpServerPort port = new TcpServerPort(0);
        return new Listening(new ModelDevice(RegistrationId.of("cli-001"), key(), model, port, overrides, 30).start(), port.port());
    }

    private static PrivateKey key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPrivate();
    }
}

package io.fleetkit.hil;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.bridge.Bridge;
import io.fleetkit.hil.conform.ConformanceRun;
import io.fleetkit.hil.conform.Report;
import io.fleetkit.hil.conform.Scenario;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.hil.link.SerialLine;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.Pem;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.testing.ThrowAwayPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.fleetkit.hil.LinkIT.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The C reference thermostat ({@code protocol/c/examples/thermostat-device}, built here with CMake) behind a socat
 * pseudo-terminal pair: the conformance run {@code fleetkit hil conform} makes — the shipped basic scenario against the
 * firmware model — finds no difference, and then the bridge {@code fleetkit hil} runs attaches it to the local platform:
 * provisioned, online, telemetry stored, {@code identify} through the REST API answered by the C device, a claim granted
 * by a presence proof it signed with OpenSSL.
 */
@Timeout(180)
@ThrowAwayPki.Use
class CDeviceIT {
    private static final Path SOURCES = Path.of("..", "protocol", "c").toAbsolutePath().normalize();
    private static final Path BUILD = Path.of("target", "c-device").toAbsolutePath();
    private static final Path SCENARIO = Path.of("scenarios", "thermostat-basic.scenario");
    private static final double RATE = 30; // the model's 60 s interval → 2 s

    private ThrowAwayPki throwAway;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildTheDevice() throws Exception {
        run(List.of("cmake", "-S", SOURCES.toString(), "-B", BUILD.toString(), "-DCMAKE_BUILD_TYPE=RelWithDebInfo"));
        run(List.of("cmake", "--build", BUILD.toString(), "--target", "thermostat-device"));
        assertThat(BUILD.resolve("thermostat-device")).as("built by CMake (needs libssl-dev: ./fleetkit test installs it)").isExecutable();
    }

    @BeforeEach
    void throwAwayPki(ThrowAwayPki pki) {
        throwAway = pki;
    }

    @Test
    void conformsToTheFirmwareModelAndIsBridgedToTheHub() throws Exception {
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity identity = new CertificateIssuer().issueDevice(pki.intermediate(), RegistrationId.of("c-device-001"), KeyAlgorithm.EC_P256);
        Path key = tmp.resolve("c-device-001.key");
        Files.writeString(key, Pem.privateKey(identity.credential().key()), StandardCharsets.US_ASCII);
        Path log = tmp.resolve("thermostat-device.log");

        try (Socat socat = new Socat(tmp).start();
             CloseableProcess device = CloseableProcess.start(log, BUILD.resolve("thermostat-device").toString(),
                     "--port", socat.deviceEnd.toString(), "--id", identity.deviceId().value(), "--key", key.toString(),
                     "--rate-multiplier", Double.toString(RATE), "--flash", tmp.resolve("flash").toString())) {
            // fleetkit hil conform: the reference is the firmware model with a throw-away key, behind TCP
            Report report;
            TcpServerPort referencePort = new TcpServerPort(0);
            try (ModelDevice reference = new ModelDevice(RegistrationId.of("reference"), throwAwayKey(), DeviceModels.builtIn("thermostat"),
                    referencePort, new MethodOverrides(), RATE).start()) {
                report = ConformanceRun.run(Scenario.load(SCENARIO), new SerialLine(socat.bridgeEnd.toString(), 115200),
                        new TcpClientPort("127.0.0.1", referencePort.port()), ConformanceRun.Options.DEFAULT);
            }
            System.out.print(report.text()); // in the build's log
            assertThat(report.differences()).as(report.text() + device.output()).isEmpty();
            assertThat(report.text()).contains("no differences");
            assertThat(device.isAlive()).as(device.output()).isTrue();

            // fleetkit hil: the same device, bridged to the platform
            BridgeIT.Watch watch = new BridgeIT.Watch();
            try (Backend backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0).retryAfterSeconds(1)).http("127.0.0.1", 0).start();
                 Bridge bridge = new Bridge(new SerialLine(socat.bridgeEnd.toString(), 115200),
                         new TestPortLink.Options(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMillis(100)),
                         new Bridge.Config(identity, pki.trustAnchors(), "127.0.0.1:" + backend.hub().port(), IdScope.DEFAULT, Duration.ofSeconds(30)),
                         watch, null).start()) {
                ApiClient api = new ApiClient(backend.httpPort());
                String ops = backend.devIssuer().mint("ops", true, Duration.ofMinutes(10));
                String alice = backend.devIssuer().mint("alice", false, Duration.ofMinutes(10));
                String path = "/api/v1/devices/" + identity.deviceId();

                await("registered and online through the bridge", () -> watch.count("online 127.0.0.1") == 1
                        && backend.hub().devices().isConnected(identity.deviceId()));
                TelemetryStore telemetry = new TelemetryStore(backend.database());
                await("the C device's telemetry stored", () -> telemetry.count(identity.deviceId()) >= 2);

                ApiClient.Response identify = api.post(path + "/methods/identify", ops, "{\"durationSeconds\": 2}");
                assertThat(identify.status()).as(identify.text()).isEqualTo(200);
                assertThat(identify.json().get("status").asInt()).isEqualTo(200);
                assertThat(identify.json().get("payload").get("blinkingForSeconds").asInt()).isEqualTo(2);
                // its lifecycle boot went out during the conformance run: a reboot through the API announces it to the platform
                ApiClient.Response reboot = api.post(path + "/methods/reboot", ops, "{\"delaySeconds\": 0}");
                assertThat(reboot.status()).as(reboot.text()).isEqualTo(200);
                await("the reboot's lifecycle message stored", () -> {
                    ApiClient.Response state = api.get(path, ops);
                    return state.status() == 200 && "thermostat".equals(state.json().path("modelId").asText(null));
                });
                ApiClient.Response unknown = api.post(path + "/methods/selfDestruct", ops, "{}");
                assertThat(unknown.status()).as(unknown.text()).isEqualTo(200); // the call went through; the device's answer is 404
                assertThat(unknown.json().get("status").asInt()).isEqualTo(404);
                assertThat(unknown.json().get("payload").get("message").asText()).isEqualTo("the thermostat has no method 'selfDestruct'");

                // a claim: the bridge injects the press, the C device signs the presence proof with libcrypto, the backend verifies it
                assertThat(BridgeIT.claimByButton(api, path, alice, watch, bridge)).as(device.output()).isEqualTo("GRANTED");
                // what the device sent in the seconds between the conformance run and the bridge waited in the pty for the
                // bridge and came before its hello: refused by name, as from any device; nothing else went wrong
                assertThat(watch.problems).as(device.output()).allMatch(p -> p.endsWith("message before the device's hello: not relayed"));
                assertThat(watch.corrupt).isEmpty();
            }
        }
    }

    private static PrivateKey throwAwayKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPrivate();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    /** The device's process, its standard error in a file; stopped with SIGTERM (it saves its flash) when closed. */
    private record CloseableProcess(Process process, Path log) implements AutoCloseable {
        static CloseableProcess start(Path log, String... command) throws IOException {
            return new CloseableProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** What the device printed, for a failure's message. */
        String output() {
            try {
                return "\n--- thermostat-device ---\n" + Files.readString(log);
            } catch (IOException e) {
                return "\n(no device output: " + e.getMessage() + ")";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}

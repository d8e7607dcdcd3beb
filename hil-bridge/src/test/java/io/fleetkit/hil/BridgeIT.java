package io.fleetkit.hil;

import io.fleetkit.testing.ThrowAwayPki;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.hil.bridge.Bridge;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.SerialLine;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.hil.record.Recording;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.testport.FrameType;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static io.fleetkit.hil.LinkIT.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge with the firmware model as the physical device, over a real pseudo-terminal pair and
 * over TCP, against the local platform: the device is provisioned and connected by the bridge, its
 * telemetry is stored, a direct method through the REST API is answered by it, a claim is
 * completed by a button press injected by the bridge, and every frame is in the recording.
 */
@Timeout(120)
@ThrowAwayPki.Use
class BridgeIT {
    private ThrowAwayPki throwAway;

    @org.junit.jupiter.api.BeforeEach
    void throwAwayPki(ThrowAwayPki pki) {
        throwAway = pki;
    }

    @TempDir
    Path tmp;

    /** What the bridge told the tester. */
    static final class Watch implements Bridge.Observer {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<TestPortMessage.Led> leds = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final List<String> corrupt = new CopyOnWriteArrayList<>();

        @Override
        public void corrupt(String reason, int bytes) {
            corrupt.add(reason);
        }

        @Override
        public void online(String hub) {
            events.add("online " + hub);
        }

        @Override
        public void offline(String reason) {
            events.add("offline");
        }

        @Override
        public void led(TestPortMessage.Led led) {
            leds.add(led);
        }

        @Override
        public void problem(String what) {
            problems.add(what);
        }

        long count(String prefix) {
            return events.stream().filter(e -> e.startsWith(prefix)).count();
        }
    }

    @Test
    void overAPseudoTerminalPair() throws Exception {
        try (Socat socat = new Socat(tmp).start()) {
            run(new SerialLine(socat.deviceEnd.toString(), 115200), new SerialLine(socat.bridgeEnd.toString(), 115200), socat);
        }
    }

    @Test
    void overTcp() throws Exception {
        TcpServerPort device = new TcpServerPort(0);
        run(device, new TcpClientPort("127.0.0.1", device.port()), null);
    }

    /**
     * Claims the device as {@code user}: the window opens on the device (its LED blinks green), the bridge injects the
     * button press, the device's presence proof decides the claim. Returns the claim's final status.
     */
    static String claimByButton(ApiClient api, String path, String user, Watch watch, Bridge bridge) throws Exception {
        ApiClient.Response claim = api.post(path + "/claims", user, "{\"windowSeconds\": 30}");
        assertThat(claim.status()).as(claim.text()).isEqualTo(202);
        await("the claim window opened on the device", () -> watch.leds.stream().anyMatch(l -> l.color().equals("green")
                && l.mode() == TestPortMessage.LedMode.BLINK));
        bridge.pressButton();
        JsonNode[] decided = new JsonNode[1];
        await("the claim decided", () -> !(decided[0] = api.get(claim.header("Location"), user).json()).get("status").asText().equals("PENDING"));
        return decided[0].get("status").asText();
    }

    private void run(Port deviceEnd, Port bridgeEnd, Socat socat) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity identity = issuer.issueDevice(pki.intermediate(), RegistrationId.of("bench-001"), KeyAlgorithm.EC_P256);
        DeviceModel base = DeviceModels.builtIn("thermostat");
        DeviceModel model = new DeviceModel(base.id(), base.name(), base.firmwareVersion(), Duration.ofSeconds(1), base.telemetry(), base.methods());
        Path recording = tmp.resolve("bench-001.frames.jsonl");
        Watch watch = new Watch();

        try (Backend backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0).retryAfterSeconds(1)).http("127.0.0.1", 0).start();
             ModelDevice device = new ModelDevice(identity.registrationId(), identity.credential().key(), model, deviceEnd, new MethodOverrides(), 4).start();
             FrameRecorder recorder = new FrameRecorder(recording, Clock.systemUTC());
             Bridge bridge = new Bridge(bridgeEnd, new TestPortLink.Options(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMillis(100)),
                     new Bridge.Config(identity, pki.trustAnchors(), "127.0.0.1:" + backend.hub().port(), IdScope.DEFAULT, Duration.ofSeconds(30)),
                     watch, recorder).start()) {
            ApiClient api = new ApiClient(backend.httpPort());
            String ops = backend.devIssuer().mint("ops", true, Duration.ofMinutes(10));
            String alice = backend.devIssuer().mint("alice", false, Duration.ofMinutes(10));
            String path = "/api/v1/devices/" + identity.deviceId();

            // provisioned through DPS and connected by the bridge; its telemetry stored
            await("online through the bridge", () -> watch.count("online 127.0.0.1") == 1 && backend.hub().devices().isConnected(identity.deviceId()));
            TelemetryStore telemetry = new TelemetryStore(backend.database());
            await("telemetry stored", () -> telemetry.count(identity.deviceId()) >= 2);
            await("device state stored", () -> api.get(path, ops).status() == 200);
            assertThat(api.get(path, ops).json().get("modelId").asText()).isEqualTo("thermostat");

            // a direct method through the REST API, answered by the device behind the test port
            ApiClient.Response identify = api.post(path + "/methods/identify", ops, "{\"durationSeconds\": 2}");
            assertThat(identify.status()).as(identify.text()).isEqualTo(200);
            assertThat(identify.json().get("payload").get("blinkingForSeconds").asInt()).isEqualTo(2);
            await("the LED blink surfaced", () -> watch.leds.stream().anyMatch(l -> l.color().equals("blue")));

            // a claim completed by a button press the bridge injects
            assertThat(claimByButton(api, path, alice, watch, bridge)).isEqualTo("GRANTED");
            assertThat(api.get(path, alice).status()).isEqualTo(200);

            // line noise from the device's side: garbage, a truncated frame, a CRC error — counted, reported, skipped
            byte[] good = io.fleetkit.protocol.testport.TestPortCodec.toFrame(new TestPortMessage.Log(TestPortMessage.LogLevel.INFO, "noise test")).encode();
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
            truncated[truncated.length - 1] = 0;
            byte[] crcError = good.clone();
            crcError[4] ^= 0x01;
            device.link().sendRaw(new byte[]{0x55, (byte) 0xAA, 0x13, 0x00});
            device.link().sendRaw(truncated);
            device.link().sendRaw(crcError);
            await("three corrupt frames reported", () -> watch.corrupt.size() == 3 && bridge.stats().link().corrupt() == 3);
            long relayedBefore = bridge.stats().relayed();
            await("still relaying", () -> bridge.stats().relayed() > relayedBefore);

            if (socat != null) {
                // unplugged: the device goes offline at the hub; plugged back in: online again, methods answered
                socat.stop();
                await("offline at the hub", () -> !backend.hub().devices().isConnected(identity.deviceId()));
                assertThat(api.post(path + "/methods/identify", ops, "{\"durationSeconds\": 1}").status()).isEqualTo(404);
                socat.start();
                await("online again", () -> watch.count("online") == 2 && backend.hub().devices().isConnected(identity.deviceId()));
                assertThat(api.post(path + "/methods/identify", ops, "{\"durationSeconds\": 1}").status()).isEqualTo(200);
            }
            assertThat(watch.problems).isEmpty();
            assertThat(bridge.stats().relayFailures()).isZero();

            if (socat == null) {
                // the bridge restarts while the device keeps running: the new bridge's hello is answered, it is online again
                bridge.close();
                await("offline at the hub", () -> !backend.hub().devices().isConnected(identity.deviceId()));
                Watch second = new Watch();
                try (Bridge again = new Bridge(bridgeEnd, new TestPortLink.Options(Duration.ofMillis(250), Duration.ofSeconds(2),
                        Duration.ofMillis(100)), new Bridge.Config(identity, pki.trustAnchors(), "127.0.0.1:" + backend.hub().port(),
                        IdScope.DEFAULT, Duration.ofSeconds(30)), second, null).start()) {
                    await("online through the new bridge", () -> second.count("online") == 1);
                    assertThat(api.post(path + "/methods/identify", ops, "{\"durationSeconds\": 1}").status()).isEqualTo(200);
                }
            }
        }

        // every frame, both ways, in the recording
        Recording r = Recording.read(recording);
        assertThat(r.entries().stream().filter(e -> e.frame().isEmpty())).as("the three corrupt blocks").hasSize(3)
                .allSatisfy(e -> assertThat(e.from()).isEqualTo(FrameRecorder.From.DEVICE));
        Set<String> fromDevice = r.entries().stream().filter(e -> e.from() == FrameRecorder.From.DEVICE && e.frame().isPresent())
                .map(e -> e.frame().orElseThrow().type().name()).collect(Collectors.toSet());
        Set<String> fromBridge = r.entries().stream().filter(e -> e.from() == FrameRecorder.From.BRIDGE && e.frame().isPresent())
                .map(e -> e.frame().orElseThrow().type().name()).collect(Collectors.toSet());
        assertThat(fromDevice).contains(FrameType.HELLO.name(), FrameType.TELEMETRY.name(), FrameType.EVENT.name(),
                FrameType.METHOD_RESPONSE.name(), FrameType.LED.name(), FrameType.PING.name());
        assertThat(fromBridge).contains(FrameType.METHOD_REQUEST.name(), FrameType.BUTTON.name(), FrameType.PING.name());
        assertThat(r.entries().stream().filter(e -> e.frame().isPresent())).allSatisfy(e -> assertThat(e.message()).isPresent());
    }
}

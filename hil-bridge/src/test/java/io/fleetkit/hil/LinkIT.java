package io.fleetkit.hil;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.SerialLine;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.testport.TestPortCodec;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test-port link with the firmware model on the device's end: over a real pseudo-terminal pair
 * (socat) and over TCP. Frames both ways; noise, truncated frames and CRC errors counted and
 * skipped; a link that disappears is reported and found again when it comes back.
 */
@Timeout(90)
@ThrowAwayPki.Use
class LinkIT {
    private ThrowAwayPki throwAway;

    @org.junit.jupiter.api.BeforeEach
    void throwAwayPki(ThrowAwayPki pki) {
        throwAway = pki;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** What the bridge's end saw. */
    static final class Seen implements TestPortLink.Listener {
        final List<TestPortMessage> messages = new CopyOnWriteArrayList<>();
        final List<String> corrupt = new CopyOnWriteArrayList<>();
        final List<String> downs = new CopyOnWriteArrayList<>();
        final List<String> ups = new CopyOnWriteArrayList<>();

        @Override
        public void received(TestPortMessage message) {
            messages.add(message);
        }

        @Override
        public void corrupt(String reason, int bytes) {
            corrupt.add(reason);
        }

        @Override
        public void up(String port) {
            ups.add(port);
        }

        @Override
        public void down(String reason) {
            downs.add(reason);
        }

        <T> List<T> of(Class<T> type) {
            return messages.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private DeviceIdentity identity() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        return issuer.issueDevice(pki.intermediate(), RegistrationId.of("hil-001"), KeyAlgorithm.EC_P256);
    }

    private static DeviceModel fastThermostat() {
        DeviceModel base = DeviceModels.builtIn("thermostat");
        return new DeviceModel(base.id(), base.name(), base.firmwareVersion(), Duration.ofSeconds(1), base.telemetry(), base.methods());
    }

    @Test
    void overAPseudoTerminalPair() throws Exception {
        DeviceIdentity id = identity();
        try (Socat socat = new Socat(tmp).start()) {
            Seen seen = new Seen();
            try (ModelDevice device = model(id, new SerialLine(socat.deviceEnd.toString(), 115200)).start();
                 TestPortLink bridge = new TestPortLink(new SerialLine(socat.bridgeEnd.toString(), 115200), fast(), seen).start()) {
                exchange(seen, bridge, device);
                noiseIsCountedAndSkipped(seen, bridge, device);

                // pull the plug: both ends report it; plug it back in: both find it again, the device says hello again
                socat.stop();
                await("the bridge noticed the link go", () -> !seen.downs.isEmpty());
                int hellos = seen.of(TestPortMessage.Hello.class).size();
                socat.start();
                await("the bridge reopened the port", () -> bridge.stats().opened() >= 2 && bridge.isUp());
                await("the device said hello again", () -> seen.of(TestPortMessage.Hello.class).size() > hellos);
                assertThat(call(seen, bridge, 77, "identify", "{\"durationSeconds\": 1}").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void overTcp() throws Exception {
        DeviceIdentity id = identity();
        TcpServerPort devicePort = new TcpServerPort(0);
        Seen seen = new Seen();
        ModelDevice device = model(id, devicePort).start();
        try (TestPortLink bridge = new TestPortLink(new TcpClientPort("127.0.0.1", devicePort.port()), fast(), seen).start()) {
            exchange(seen, bridge, device);
            noiseIsCountedAndSkipped(seen, bridge, device);
            // the device's end goes away (board reset): the bridge reports it and keeps trying
            device.close();
            await("the bridge noticed the link go", () -> !seen.downs.isEmpty() && !bridge.isUp());
            assertThat(seen.downs.get(0)).isNotBlank();
        } finally {
            device.close();
        }
    }

    @Test
    void aSilentFarEndIsDeclaredDeadByPingTimeout() throws Exception {
        // a listening socket that never accepts: the kernel completes the connection, and nothing ever answers
        TcpServerPort silent = new TcpServerPort(0);
        Seen seen = new Seen();
        try (TestPortLink bridge = new TestPortLink(new TcpClientPort("127.0.0.1", silent.port()),
                new TestPortLink.Options(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(100)), seen).start()) {
            await("declared dead", () -> !seen.downs.isEmpty());
            assertThat(seen.downs.get(0)).isEqualTo("no answer to pings for 500 ms");
            assertThat(bridge.stats().deadLinks()).isEqualTo(1);
        } finally {
            silent.shutdown();
        }
    }

    private static ModelDevice model(DeviceIdentity id, Port port) {
        return new ModelDevice(id.registrationId(), id.credential().key(), fastThermostat(), port, new MethodOverrides(), 4);
    }

    private static TestPortLink.Options fast() {
        return new TestPortLink.Options(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(100));
    }

    private static void exchange(Seen seen, TestPortLink bridge, ModelDevice device) throws Exception {
        await("hello, boot and telemetry", () -> !seen.of(TestPortMessage.Hello.class).isEmpty() && seen.of(TestPortMessage.Message.class).size() >= 3);
        TestPortMessage.Hello hello = seen.of(TestPortMessage.Hello.class).get(0);
        assertThat(hello.deviceId().value()).isEqualTo("hil-001");
        assertThat(hello.modelId()).isEqualTo("thermostat");
        List<TestPortMessage.Message> up = seen.of(TestPortMessage.Message.class);
        assertThat(up.get(0).message()).isInstanceOf(Lifecycle.class);
        assertThat(up.get(1).message()).isInstanceOf(Telemetry.class);

        TestPortMessage.MethodResult identify = call(seen, bridge, 1, "identify", "{\"durationSeconds\": 2}");
        assertThat(identify.status()).isEqualTo(200);
        assertThat(identify.payload().orElseThrow().get("blinkingForSeconds").asInt()).isEqualTo(2);
        await("the LED blinks blue", () -> seen.of(TestPortMessage.Led.class).stream()
                .anyMatch(l -> l.mode() == TestPortMessage.LedMode.BLINK && l.color().equals("blue")));
        assertThat(call(seen, bridge, 2, "noSuchMethod", "{}").status()).isEqualTo(404);
        assertThat(bridge.stats().corrupt()).isZero();
        assertThat(device.link().stats().corrupt()).isZero();
    }

    /** Garbage, a truncated frame and a CRC error towards the device: counted, skipped, and the device still answers. */
    private static void noiseIsCountedAndSkipped(Seen seen, TestPortLink bridge, ModelDevice device) throws Exception {
        byte[] good = TestPortCodec.toFrame(new TestPortMessage.MethodCall(9, MethodName.of("identify"),
                Optional.of(JSON.readTree("{\"durationSeconds\": 1}")))).encode();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 4);
        truncated[truncated.length - 1] = 0; // a delimiter where the frame should have gone on
        byte[] crcError = good.clone();
        crcError[3] ^= 0x20; // one bit flipped inside the COBS-encoded body
        bridge.sendRaw(new byte[]{0x13, 0x37, (byte) 0xFF, 0x42, 0x00});
        bridge.sendRaw(truncated);
        bridge.sendRaw(crcError);
        await("three corrupt frames counted", () -> device.link().stats().corrupt() == 3);
        assertThat(call(seen, bridge, 10, "identify", "{\"durationSeconds\": 1}").status()).as("still answering").isEqualTo(200);
    }

    private static TestPortMessage.MethodResult call(Seen seen, TestPortLink bridge, long requestId, String method, String payload) throws Exception {
        bridge.send(new TestPortMessage.MethodCall(requestId, MethodName.of(method), Optional.of(JSON.readTree(payload))));
        await("an answer to request " + requestId, () -> seen.of(TestPortMessage.MethodResult.class).stream().anyMatch(r -> r.requestId() == requestId));
        return seen.of(TestPortMessage.MethodResult.class).stream().filter(r -> r.requestId() == requestId).findFirst().orElseThrow();
    }

    static void await(String what, BooleanSupplier condition) {
        Eventually.until(what, Duration.ofSeconds(20), condition);
    }
}

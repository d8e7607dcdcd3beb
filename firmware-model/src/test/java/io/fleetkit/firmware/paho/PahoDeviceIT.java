package io.fleetkit.firmware.paho;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.firmware.netty.SwarmTls;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One faithful device on Paho, and the same firmware on Netty beside it: the hub sees the same device. */
@Timeout(120)
@ThrowAwayPki.Use
class PahoDeviceIT {
    @TempDir
    Path tmp;

    @Test
    void pahoAndNettyRunTheSameFirmwareTheSameWay(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceModel base = DeviceModels.builtIn("thermostat");
        DeviceModel model = new DeviceModel(base.id(), base.name(), base.firmwareVersion(), Duration.ofSeconds(1), base.telemetry(), base.methods());
        DeviceIdentity pahoId = issuer.issueDevice(pki.intermediate(), RegistrationId.of("paho-dev"), KeyAlgorithm.EC_P256);
        DeviceIdentity nettyId = issuer.issueDevice(pki.intermediate(), RegistrationId.of("netty-dev"), KeyAlgorithm.EC_P256);

        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).start()) {
            InMemoryDeviceToCloudSink sink = (InMemoryDeviceToCloudSink) hub.sink();
            MethodOverrides pahoOverrides = new MethodOverrides();
            var loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            SwarmTls swarmTls = new SwarmTls(pki.trustAnchors());
            swarmTls.register(nettyId);
            NettyDevice netty = new NettyDevice(firmware(nettyId, model, new MethodOverrides()), loops.next(), swarmTls,
                    Clock.systemUTC(), hub.port(), null, (d, from, to) -> { });
            try (PahoDevice paho = new PahoDevice(firmware(pahoId, model, pahoOverrides), TlsContexts.forDevice(pahoId, pki.trustAnchors()),
                    Clock.systemUTC(), hub.port(), s -> { })) {
                paho.setLog(line -> System.out.println("paho-dev: " + line));
                paho.boot();
                netty.boot();
                await(() -> paho.state() == LifecycleState.ONLINE && netty.state() == LifecycleState.ONLINE);
                assertThat(paho.flash().assignedHub()).contains("127.0.0.1");

                // the same messages, in the same order, from both
                List<String> fromPaho = firstMessages(sink, pahoId.deviceId());
                List<String> fromNetty = firstMessages(sink, nettyId.deviceId());
                assertThat(fromPaho).containsExactly("lifecycle 0", "telemetry 1", "telemetry 2");
                assertThat(fromNetty).isEqualTo(fromPaho);
                await(() -> paho.firmware().messagesAcknowledged() >= 3);

                // a method, then an override set at run time changes the next answer
                MethodResult r = call(hub, pahoId.deviceId(), "identify", "{\"durationSeconds\":2}");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.payloadText()).isEqualTo("{\"blinkingForSeconds\":2}");
                await(() -> paho.led() != null && paho.led().color().equals("blue"));
                pahoOverrides.set(MethodName.of("identify"), MethodOverride.fixed(503, "{\"busy\":true}"));
                assertThat(call(hub, pahoId.deviceId(), "identify", "{}").status()).isEqualTo(503);
                pahoOverrides.set(MethodName.of("identify"), MethodOverride.silent());
                assertThat(call(hub, pahoId.deviceId(), "identify", "{}").status()).as("no answer: the hub times out").isEqualTo(504);

                // reboot: straight back to the cached hub (the device log above tells if it reconnected meanwhile)
                await(() -> hub.devices().isConnected(pahoId.deviceId()) && paho.state() == LifecycleState.ONLINE);
                assertThat(call(hub, pahoId.deviceId(), "reboot", "{}").status()).isEqualTo(200);
                await(() -> sink.messages().stream().filter(m -> m.deviceId().equals(pahoId.deviceId())
                        && m.properties().get("type").orElse("").equals("lifecycle")).count() == 2);
                await(() -> paho.state() == LifecycleState.ONLINE);
            } finally {
                netty.stop();
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
        io.fleetkit.backend.testing.LeakDetection.assertNoLeaks();
    }

    private static Firmware firmware(DeviceIdentity id, DeviceModel model, MethodOverrides overrides) {
        FirmwareConfig config = FirmwareConfig.of(id.registrationId(), "127.0.0.1", IdScope.DEFAULT, model);
        return new Firmware(config, new SimulatedHardware(model, id.credential().key(), new SplittableRandom(3)),
                NonVolatileState.factory(1), overrides, new SplittableRandom(3));
    }

    private static MethodResult call(EmbeddedHub hub, DeviceId id, String method, String payload) throws Exception {
        return hub.devices().invokeMethod(id, MethodName.of(method), payload.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2))
                .get(10, TimeUnit.SECONDS);
    }

    private static List<String> firstMessages(InMemoryDeviceToCloudSink sink, DeviceId id) throws Exception {
        await(() -> sink.messages().stream().filter(m -> m.deviceId().equals(id)).count() >= 3);
        return sink.messages().stream().filter(m -> m.deviceId().equals(id)).limit(3).map(PahoDeviceIT::describe).toList();
    }

    private static String describe(DeviceToCloudMessage m) {
        DeviceMessage d = DeviceMessageCodec.CODEC.fromJson(m.body());
        return d.type().wireName() + " " + d.seq();
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        Eventually.until("the device's condition", Duration.ofSeconds(30), condition);
    }
}

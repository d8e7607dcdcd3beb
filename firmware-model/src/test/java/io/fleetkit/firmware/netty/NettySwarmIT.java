package io.fleetkit.firmware.netty;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.backend.testing.LeakDetection;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.firmware.swarm.SwarmMetrics;
import io.fleetkit.firmware.swarm.SwarmReport;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.PresenceSignatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Firmware models on the Netty transport, many devices on two event loops, through the whole
 * lifecycle against the embedded hub: DPS, hub, telemetry acknowledged, a method, a claim.
 */
@Timeout(180)
@ThrowAwayPki.Use
public class NettySwarmIT {
    @TempDir
    Path tmp;

    @Test
    void aSwarmProvisionsConnectsSendsAndAnswers(ThrowAwayPki throwAway) throws Exception {
        int n = Integer.getInteger("fleetkit.swarm.devices", 1000);
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        ConcurrentLinkedQueue<DeviceIdentity> identities = new ConcurrentLinkedQueue<>();
        FactoryBatch.issue(issuer, pki.intermediate(), FactoryBatch.ids("swarm-", 1, n), KeyAlgorithm.EC_P256, 2, identities::add, (d, t) -> { });
        DeviceModel thermostat = DeviceModels.builtIn("thermostat");
        DeviceModel fast = new DeviceModel(thermostat.id(), thermostat.name(), thermostat.firmwareVersion(), Duration.ofSeconds(2),
                thermostat.telemetry(), thermostat.methods());

        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).start()) {
            InMemoryDeviceToCloudSink sink = (InMemoryDeviceToCloudSink) hub.sink();
            SwarmConfig config = new SwarmConfig(fast, "127.0.0.1", hub.port(), IdScope.DEFAULT, 2000, 1, 2, List.of(),
                    new MethodOverrides(), 0, 1, 0);
            long start = System.nanoTime();
            try (Swarm swarm = Swarm.start(config, new ArrayList<>(identities), pki.trustAnchors(), Clock.systemUTC())) {
                SwarmMetrics m = swarm.metrics();
                Eventually.until("online", Duration.ofSeconds(120), () -> m.count(LifecycleState.ONLINE) == n, () -> "online: " + m.states());
                Duration toOnline = Duration.ofNanos(System.nanoTime() - start);
                assertThat(hub.registry().count()).isEqualTo(n);
                assertThat(swarm.devices()).allSatisfy(d -> assertThat(d.flash().assignedHub()).contains("127.0.0.1"));

                // every device announced its boot and sends telemetry, acknowledged by the hub
                Eventually.until("accepted", Duration.ofSeconds(30), () -> sink.accepted() >= 2L * n, () -> "accepted " + sink.accepted());
                Eventually.until("acknowledged", Duration.ofSeconds(30), () -> m.messagesAcknowledged() >= 2L * n, () -> "acknowledged " + m.messagesAcknowledged());

                NettyDevice first = swarm.devices().get(0);
                MethodResult r = hub.devices().invokeMethod(first.firmware().deviceId(), MethodName.of("getDiagnostics"), new byte[0],
                        Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.payloadText()).contains("\"modelId\":\"thermostat\"");

                String nonce = "q3Vx7bT0ZkR1cL9mW2aYpQ";
                MethodResult claim = hub.devices().invokeMethod(first.firmware().deviceId(), MethodName.of("startClaim"),
                        ("{\"nonce\":\"" + nonce + "\",\"windowSeconds\":30}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))
                        .get(15, TimeUnit.SECONDS);
                assertThat(claim.status()).isEqualTo(200);
                first.pressButton();
                DeviceToCloudMessage presence = sink.await(msg -> msg.deviceId().equals(first.firmware().deviceId())
                        && msg.properties().get("type").orElse("").equals("presence"), Duration.ofSeconds(10));
                Presence p = (Presence) DeviceMessageCodec.CODEC.fromJson(presence.body());
                DeviceIdentity id = identities.stream().filter(d -> d.deviceId().equals(first.firmware().deviceId())).findFirst().orElseThrow();
                assertThat(PresenceSignatures.verify(id.credential().certificate(), id.deviceId(), nonce, p.signature())).isTrue();

                var summary = SwarmReport.summary(m, n, Duration.ofNanos(System.nanoTime() - start), toOnline);
                System.out.print(SwarmReport.text(summary));
                assertThat(summary.get("gaveUp").asInt()).isZero();
                assertThat(summary.get("latencyMs").get("puback").get("count").asLong()).isGreaterThanOrEqualTo(2L * n);
            }
        }
        LeakDetection.assertNoLeaks();
    }

}

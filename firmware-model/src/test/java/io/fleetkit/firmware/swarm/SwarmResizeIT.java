package io.fleetkit.firmware.swarm;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.testing.LeakDetection;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the dashboard does to a running swarm, against the embedded hub: shrink (devices power off),
 * grow past the devices it started with, stop and start again (from flash, straight to the hub),
 * a faster telemetry rate, and one device's own method override beside the swarm's.
 */
@Timeout(120)
@ThrowAwayPki.Use
class SwarmResizeIT {
    @TempDir
    Path tmp;

    @Test
    void resizeRateAndOverridesWhileRunning(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        ConcurrentLinkedQueue<DeviceIdentity> made = new ConcurrentLinkedQueue<>();
        FactoryBatch.issue(issuer, pki.intermediate(), FactoryBatch.ids("dev-", 1, 25), KeyAlgorithm.EC_P256, 2, made::add, (d, t) -> { });
        List<DeviceIdentity> identities = made.stream().sorted(java.util.Comparator.comparing(d -> d.deviceId().value())).toList();

        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).start()) {
            MethodOverrides shared = new MethodOverrides();
            SwarmConfig config = new SwarmConfig(DeviceModels.builtIn("thermostat"), "127.0.0.1", hub.port(), IdScope.DEFAULT, 1000, 1, 2,
                    List.of(), shared, 0, 1, 0);
            try (Swarm swarm = Swarm.start(config, identities.subList(0, 20), pki.trustAnchors(), Clock.systemUTC())) {
                SwarmMetrics m = swarm.metrics();
                Eventually.until("online", Duration.ofSeconds(60), () -> m.count(LifecycleState.ONLINE) == 20, () -> "online: " + m.states());

                swarm.resize(10);
                Eventually.until("after shrinking", Duration.ofSeconds(10), () -> hub.devices().connectedCount() == 10 && m.count(LifecycleState.OFF) == 10, () -> "after shrinking: " + m.states() + ", hub " + hub.devices().connectedCount());
                assertThat(swarm.active()).isEqualTo(10);

                swarm.add(identities.subList(20, 25));
                assertThatThrownBy(() -> swarm.add(identities.subList(0, 1))).hasMessageContaining("already in the swarm");
                assertThatThrownBy(() -> swarm.resize(26)).hasMessageContaining("0–25");
                swarm.resize(25);
                Eventually.until("after growing", Duration.ofSeconds(60), () -> m.count(LifecycleState.ONLINE) == 25 && hub.devices().connectedCount() == 25, () -> "after growing: " + m.states());
                long registrations = m.registrations();
                assertThat(registrations).as("the 5 new devices provisioned; the 10 powered on again used their flash").isEqualTo(25);

                swarm.resize(0);
                Eventually.until("stopped", Duration.ofSeconds(10), () -> hub.devices().connectedCount() == 0, () -> "stopped: " + m.states());
                swarm.resize(25);
                Eventually.until("started again", Duration.ofSeconds(60), () -> m.count(LifecycleState.ONLINE) == 25, () -> "started again: " + m.states());
                assertThat(m.registrations()).as("started again from flash, straight to the hub").isEqualTo(registrations);

                // 60 s interval ×1 → ×600: a message every 100 ms per device
                long sent = m.messagesSent();
                swarm.changeRate(600);
                assertThat(swarm.rateMultiplier()).isEqualTo(600);
                Eventually.until("sent since", Duration.ofSeconds(10), () -> m.messagesSent() - sent >= 250, () -> "sent since: " + (m.messagesSent() - sent));
                swarm.changeRate(1);
                assertThatThrownBy(() -> swarm.changeRate(0)).hasMessageContaining("above 0");

                DeviceId first = identities.get(0).deviceId();
                DeviceId second = identities.get(1).deviceId();
                MethodName identify = MethodName.of("identify");
                shared.set(identify, MethodOverride.fixed(503, "{\"busy\":true}"));
                swarm.overridesOf(first).orElseThrow().set(identify, MethodOverride.fixed(418, "{\"teapot\":true}"));
                assertThat(swarm.overridesOf(DeviceId.of("not-in-swarm"))).isEmpty();
                assertThat(call(hub, first, identify).status()).isEqualTo(418);
                assertThat(call(hub, second, identify).status()).isEqualTo(503);
                swarm.overridesOf(first).orElseThrow().clear(identify);
                shared.clear(identify);
                assertThat(call(hub, first, identify).status()).isEqualTo(200);
            }
        }
        LeakDetection.assertNoLeaks();
    }

    private static MethodResult call(EmbeddedHub hub, DeviceId id, MethodName method) throws Exception {
        return hub.devices().invokeMethod(id, method, "{}".getBytes(), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    }
}

package io.fleetkit.firmware.swarm;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.protocol.id.IdScope;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cold start against a throttled DPS, at reduced scale (100 devices, 1,200 operations/min with
 * a burst of 100): the firmware absorbs the 429s and no device gives up. The full S1 figure
 * (1,000 devices) is a `fleetkit serve --throttle s1` + `fleetkit sim` run.
 */
@Timeout(180)
@ThrowAwayPki.Use
class SwarmThrottleIT {
    @TempDir
    Path tmp;

    @Test
    void aColdStartAbsorbsThe429s(ThrowAwayPki throwAway) {
        int n = 100;
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        ConcurrentLinkedQueue<DeviceIdentity> ids = new ConcurrentLinkedQueue<>();
        FactoryBatch.issue(issuer, pki.intermediate(), FactoryBatch.ids("cold-", 1, n), KeyAlgorithm.EC_P256, 2, ids::add, (d, t) -> { });
        ThrottleProfile reduced = new ThrottleProfile("reduced", 0, 0, 1200, 5);
        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).throttle(reduced).start()) {
            SwarmConfig config = new SwarmConfig(DeviceModels.builtIn("thermostat"), "127.0.0.1", hub.port(), IdScope.DEFAULT, 1000, 1, 2,
                    List.of(), new MethodOverrides(), 20, 7, 0);
            try (Swarm swarm = Swarm.start(config, new ArrayList<>(ids), pki.trustAnchors(), Clock.systemUTC())) {
                SwarmMetrics m = swarm.metrics();
                Eventually.until("every device online, or one gave up", Duration.ofSeconds(150),
                        () -> m.count(LifecycleState.ONLINE) >= n || m.count(LifecycleState.GAVE_UP) > 0, () -> "states: " + m.states());
                var summary = SwarmReport.summary(m, n, Duration.ZERO, null);
                System.out.print(SwarmReport.text(summary));
                assertThat(summary.get("gaveUp").asInt()).isZero();
                assertThat(summary.get("online").asInt()).isEqualTo(n);
                assertThat(summary.get("dpsThrottled429").asLong()).as("the 429s the devices absorbed").isPositive();
                assertThat(hub.throttles().counters().dpsThrottled()).isEqualTo(summary.get("dpsThrottled429").asLong());
            }
        }
    }
}

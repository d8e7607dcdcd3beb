package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.BackendProcess;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Devices that publish 200 KB QoS 1 messages without pause, against a backend in its own JVM with a 256 MB heap, a 4 MB
 * ingest budget and the default 64 messages in flight per connection: the bytes the hub holds for unacknowledged messages
 * stay within the budget (plus what the paused connections had already read), nothing runs out of memory, and an
 * ordinary device beside the floods keeps getting its PUBACKs. Before backpressure, two such devices took a hub from
 * 349 MB to an OutOfMemoryError.
 */
@Timeout(180)
@ThrowAwayPki.Use
class FloodingDeviceIT {
    static final long BUDGET = 4L << 20;
    static final int FLOODERS = 3;
    static final int PAYLOAD = 200 * 1024;

    @TempDir
    Path tmp;

    @Test
    void floodsAreHeldBackByTheBudgetWhileAnOrdinaryDeviceIsServed(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        List<ResendingPublisher> floods = new ArrayList<>();
        try (BackendProcess backend = BackendProcess.start(pki.dir(), tmp.resolve("data"), tmp.resolve("backend.err"),
                List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), "64", Long.toString(BUDGET))) {
            int hubPort = backend.hubPort();
            ApiClient api = new ApiClient(backend.httpPort());

            byte[] spaces = new byte[PAYLOAD];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < FLOODERS; i++) {
                DeviceIdentity d = issuer.issueDevice(pki.intermediate(), RegistrationId.of("flood-" + i), KeyAlgorithm.EC_P256);
                SSLContext tls = TlsContexts.forDevice(d, pki.trustAnchors());
                PahoLifecycleIT.register(hubPort, d, tls);
                floods.add(new ResendingPublisher(hubPort, d.deviceId(), tls, 200, seq -> spaces, 0));
            }
            DeviceIdentity ordinary = issuer.issueDevice(pki.intermediate(), RegistrationId.of("ordinary-001"), KeyAlgorithm.EC_P256);
            SSLContext tls = TlsContexts.forDevice(ordinary, pki.trustAnchors());
            PahoLifecycleIT.register(hubPort, ordinary, tls);
            try (ResendingPublisher device = new ResendingPublisher(hubPort, ordinary.deviceId(), tls, 1, null, 10)) {
                long maxHeld = 0;
                long maxHeap = 0;
                long pausedSeen = 0;
                int before = device.acknowledged().size();
                long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() < end) {
                    String metrics = api.get("/metrics", null).text();
                    maxHeld = Math.max(maxHeld, (long) gauge(metrics, "fleetkit_hub_ingest_held_bytes"));
                    maxHeap = Math.max(maxHeap, (long) sum(metrics, "jvm_memory_used_bytes{area=\"heap\""));
                    pausedSeen = Math.max(pausedSeen, (long) gauge(metrics, "fleetkit_hub_ingest_paused_connections"));
                    assertThat(backend.process().isAlive()).as("the backend runs (stderr in %s)", tmp.resolve("backend.err")).isTrue();
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
                }
                int served = device.acknowledged().size() - before;
                long flooded = floods.stream().mapToLong(f -> f.acknowledged().size()).sum();
                System.out.printf("in 6 s: %d flood messages of 200 KB acknowledged, the ordinary device %d; held at most %.1f MB of a "
                                + "%d MB budget, %d connections paused at once, heap used at most %.0f MB%n", flooded, served,
                        maxHeld / 1048576.0, BUDGET >> 20, pausedSeen, maxHeap / 1048576.0);
                assertThat(flooded).as("the floods were served too, only held back").isPositive();
                assertThat(served).as("PUBACKs for the ordinary device (10 a second sent) during the floods").isGreaterThanOrEqualTo(10);
                // past the budget every publisher pauses; each may have read one more read-loop's worth (≤ 1 MB) first
                assertThat(maxHeld).as("bytes held for unacknowledged messages").isLessThanOrEqualTo(BUDGET + FLOODERS * (1L << 20));
            }
            for (ResendingPublisher f : floods) {
                f.stop();
            }
            ApiClient.Response health = api.get("/healthz", null);
            assertThat(health.status()).as("every part is up after the floods: %s", health.text()).isEqualTo(200);
            assertThat(backend.process().isAlive()).isTrue();
        } finally {
            for (ResendingPublisher f : floods) {
                f.stop();
            }
        }
    }

    /** The value of a gauge without labels in Prometheus text. */
    static double gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /** The sum of every series of a metric whose line starts with {@code prefix}. */
    static double sum(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}

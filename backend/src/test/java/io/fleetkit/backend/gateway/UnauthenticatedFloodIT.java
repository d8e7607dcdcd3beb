package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.admission.HttpLimits;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.testing.LeakDetection;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that never authenticate, each kind as a flood from 127.0.0.2 (and one from 127.0.0.3 against the
 * per-source cap): idle TCP, idle TLS, a CONNECT trickled a byte at a time, a large packet before CONNECT,
 * HTTP headers trickled a line at a time, and DPS clients with a self-signed certificate and keep-alive 0.
 * Each connection is cut off within its deadline (2 s here, plus scheduling slack), while a real device
 * connects and is acknowledged and a REST call answers; then nothing is left pending and no buffer leaked.
 */
@Timeout(120)
@ThrowAwayPki.Use
class UnauthenticatedFloodIT {
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final Duration SLACK = Duration.ofMillis(2500);
    static final int PER_SOURCE = 150;
    static final CertificateIssuer ISSUER = new CertificateIssuer();

    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static Backend backend;
    static final ExecutorService readers = Executors.newCachedThreadPool();
    static final ScheduledExecutorService trickle = Executors.newScheduledThreadPool(2);

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        pki = throwAway.directory();
        backend = Backend.builder(pki, tmp.resolve("data"))
                .hub(h -> h.port(0).limits(GatewayLimits.defaults().withConnectDeadline(DEADLINE).withPendingConnections(1000, PER_SOURCE)))
                .http("127.0.0.1", 0).httpLimits(new HttpLimits(DEADLINE, 1000, PER_SOURCE)).start();
    }

    @AfterAll
    static void stop() {
        trickle.shutdownNow();
        readers.shutdownNow();
        backend.close();
        LeakDetection.assertNoLeaks();
    }

    /** One attacking connection: when it was opened and when the server closed it. */
    record Cut(String kind, Instant opened, CompletableFuture<Instant> closed) {
    }

    @Test
    void everyFloodIsCutOffInTimeWhileADeviceAndTheApiAreServed() throws Exception {
        InetAddress attacker = InetAddress.getByName("127.0.0.2");
        int hub = backend.hub().port();
        int http = backend.httpPort();
        SSLContext stranger = strangerTls("stranger-001");
        List<Cut> cuts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            cuts.add(watch("idle TCP", plain(attacker, hub)));
        }
        for (int i = 0; i < 20; i++) {
            cuts.add(watch("idle TLS", tls(stranger, attacker, hub)));
        }
        byte[] connect = RefusalsIT.connect("stranger-001", "127.0.0.1/stranger-001/?api-version=2021-04-12");
        for (int i = 0; i < 20; i++) {
            SSLSocket s = tls(stranger, attacker, hub);
            cuts.add(watch("trickled CONNECT", s));
            trickleBytes(s, connect);
        }
        for (int i = 0; i < 10; i++) {
            SSLSocket s = tls(stranger, attacker, hub);
            cuts.add(watch("large packet before CONNECT", s));
            // a PUBLISH header announcing 200 KB, then its bytes: the server may buffer at most 8 KB of it
            readers.execute(() -> {
                try {
                    s.getOutputStream().write(new byte[]{0x30, (byte) 0xC0, (byte) 0x9A, 0x0C});
                    s.getOutputStream().write(new byte[200 * 1024]);
                } catch (IOException closed) {
                    // the server closed it mid-write: what this flood expects
                }
            });
        }
        for (int i = 0; i < 40; i++) {
            Socket s = plain(attacker, http);
            cuts.add(watch("trickled HTTP headers", s));
            StringBuilder headers = new StringBuilder("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (int h = 0; h < 100; h++) {
                headers.append("X-Slow-").append(h).append(": ").append(h).append("\r\n");
            }
            trickleBytes(s, headers.toString().getBytes(StandardCharsets.US_ASCII));
        }

        // past the per-source cap: 127.0.0.3 opens more than its share; the rest are closed at accept
        InetAddress crowd = InetAddress.getByName("127.0.0.3");
        List<Cut> crowded = new ArrayList<>();
        for (int i = 0; i < PER_SOURCE + 30; i++) {
            crowded.add(watch("crowd", plain(crowd, hub)));
        }

        // meanwhile: a real device is served, the API answers, and a stranger on DPS gets 401 and is disconnected
        DeviceIdentity good = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("good-001"), KeyAlgorithm.EC_P256);
        backend.hub().registry().createIfAbsent(good.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
        try (PahoDevice device = new PahoDevice(hub, "good-001")) {
            device.connect(HubUsername.of(HubHostName.of("127.0.0.1"), good.deviceId(), null).format(),
                    TlsContexts.forDevice(good, pki.trustAnchors()));
            device.publish("devices/good-001/messages/events/type=telemetry", "{\"type\":\"telemetry\"}", 1); // returns on PUBACK
        }
        ApiClient.Response health = new ApiClient(http).get("/healthz", null);
        assertThat(health.status()).as("the API answers during the floods: %s", health.text()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            selfSignedDpsClientIsDisconnectedAfterIts401("stranger-dps-" + i);
        }

        for (Cut c : cuts) {
            Instant closed;
            try {
                closed = c.closed().get(DEADLINE.plus(SLACK).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(c.kind() + " connection still open " + Duration.between(c.opened(), Instant.now()) + " after it opened");
            }
            assertThat(Duration.between(c.opened(), closed)).as("%s cut off within %s (+ slack)", c.kind(), DEADLINE)
                    .isLessThanOrEqualTo(DEADLINE.plus(SLACK));
        }
        long closedAtOnce = crowded.stream().filter(c -> {
            try {
                return Duration.between(c.opened(), c.closed().get(10, TimeUnit.SECONDS)).compareTo(Duration.ofMillis(1500)) < 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).count();
        assertThat(closedAtOnce).as("connections past the per-source cap closed at accept").isGreaterThanOrEqualTo(30);
        assertThat(backend.hub().gateway().refusedAtAccept()).isGreaterThanOrEqualTo(30);
        Eventually.until("no connection left pending", () -> backend.hub().gateway().pendingConnections() == 0);
        assertThat(backend.hub().gateway().refusals()).containsKeys("no CONNACK in time", "too many bytes before CONNACK",
                "connection refused at accept", "DPS 401");
        assertThat(new ApiClient(http).get("/metrics", null).text()).as("counted in /metrics by kind")
                .contains("fleetkit_gateway_refusals{kind=\"no CONNACK in time\"}", "fleetkit_gateway_refused_at_accept");
    }

    static void selfSignedDpsClientIsDisconnectedAfterIts401(String id) throws Exception {
        PahoDevice p = new PahoDevice(backend.hub().port(), id);
        try {
            // keep-alive 0 (none): before, such a session was accepted, kept for ever and could register again and again
            p.connect(DpsUsername.of(IdScope.DEFAULT, RegistrationId.of(id)).format(), strangerTls(id).getSocketFactory(), 0);
            p.client().subscribe("$dps/registrations/res/#", 1);
            p.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", "{\"registrationId\":\"" + id + "\"}", 0);
            assertThat(p.awaitTopic("$dps/registrations/res/").topic()).startsWith("$dps/registrations/res/401/");
            RefusalsIT.awaitDisconnected(p);
        } finally {
            p.client().close(true);
        }
    }

    static SSLContext strangerTls(String id) {
        return TlsContexts.forDevice(ISSUER.selfSignedDevice(RegistrationId.of(id), KeyAlgorithm.EC_P256), pki.trustAnchors());
    }

    static Socket plain(InetAddress from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    static SSLSocket tls(SSLContext context, InetAddress from, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain(from, port), "127.0.0.1", port, true);
        s.startHandshake();
        return s;
    }

    /** Completes with the time the server closed the socket (end of stream, or a reset). */
    static Cut watch(String kind, Socket s) {
        Instant opened = Instant.now();
        CompletableFuture<Instant> closed = new CompletableFuture<>();
        readers.execute(() -> {
            try (s; InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // the server sends nothing an unauthenticated peer needs; read until it closes
                }
            } catch (IOException reset) {
                // closed by the server with a reset, or by the trickle's failed write
            }
            closed.complete(Instant.now());
        });
        return new Cut(kind, opened, closed);
    }

    /** Writes {@code bytes} one at a time, every 200 ms, until they are all sent or the server closes the socket. */
    static void trickleBytes(Socket s, byte[] bytes) {
        int[] next = {0};
        var task = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<?>>();
        task.set(trickle.scheduleAtFixedRate(() -> {
            try {
                if (next[0] < bytes.length && !s.isClosed()) {
                    s.getOutputStream().write(bytes[next[0]++]);
                    s.getOutputStream().flush();
                    return;
                }
            } catch (IOException closed) {
                // cut off
            }
            task.get().cancel(false);
        }, 0, 200, TimeUnit.MILLISECONDS));
    }
}

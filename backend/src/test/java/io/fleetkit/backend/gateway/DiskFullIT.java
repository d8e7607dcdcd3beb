package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data directory on a small tmpfs that the test fills while a device publishes: no PUBACK while it is full, /healthz
 * 503 naming the parts that cannot write, and — once the filler is deleted — recovery by itself, with every acknowledged
 * message in the store. Mounting needs root (CI and the machines of this project run as root); without it the test says
 * so and is skipped.
 */
@Timeout(300)
@ThrowAwayPki.Use
class DiskFullIT {
    @TempDir
    Path tmp;
    Path disk;
    Backend backend;

    @BeforeEach
    void mount() throws Exception {
        disk = Files.createDirectories(tmp.resolve("disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=40m,mode=0700", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0,
                "cannot mount a 40 MB tmpfs for the full-disk test (needs root): " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (backend != null) {
            backend.close();
        }
        new ProcessBuilder("umount", "-l", disk.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aFullDiskWithholdsPubacksSaysSoAndRecoversByItselfLosingNothingAcknowledged(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        backend = Backend.builder(pki, disk.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0).start();
        ApiClient api = new ApiClient(backend.httpPort());
        DeviceIdentity device = issuer.issueDevice(pki.intermediate(), RegistrationId.of("full-001"), KeyAlgorithm.EC_P256);
        SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());
        PahoLifecycleIT.register(backend.hub().port(), device, tls);

        Set<Long> acked;
        try (ResendingPublisher publisher = new ResendingPublisher(backend.hub().port(), device.deviceId(), tls, 16, null, 500)) {
            Eventually.until("200 messages acknowledged", () -> publisher.acknowledged().size() >= 200);
            int start = publisher.acknowledged().size();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // the rate before: 2 s of PUBACKs
            int normal = publisher.acknowledged().size() - start;

            Path filler = disk.resolve("filler");
            fill(filler);
            JsonNode down = api.await("/healthz", h -> h.status() == 503 && "DOWN".equals(h.json().get("checks").get("stream.telemetry").asText()),
                    Duration.ofSeconds(30)).json();
            System.out.println("disk full: /healthz " + down);
            assertThat(down.get("status").asText()).isEqualTo("DOWN");
            assertThat(down.get("checks").get("stream.telemetry").asText()).isEqualTo("DOWN");
            assertThat(down.get("details").get("stream.telemetry").asText()).contains("No space left on device");
            fill(filler); // what the stream freed cutting back its failed writes
            int before = publisher.acknowledged().size();
            long quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < quietUntil) {
                fill(filler); // the disk stays full: whatever is freed is taken again at once
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            // the stream cuts back what a failed write left, and the next small batch may fit in the bytes that frees before
            // the filler takes them: a PUBACK then is right (the message is on disk). What must not happen is acknowledging
            // at anything like the normal rate
            int during = publisher.acknowledged().size() - before;
            System.out.printf("PUBACKs in 2 s: %d with space, %d with the disk full%n", normal, during);
            assertThat(during).as("PUBACKs in 2 s with the disk full, against %d with space", normal)
                    .isLessThanOrEqualTo(Math.max(10, normal / 50));

            Files.delete(filler);
            JsonNode up = api.await("/healthz", h -> h.status() == 200, Duration.ofSeconds(60)).json();
            assertThat(up.get("status").asText()).isEqualTo("UP");
            Eventually.until("publishing resumed", () -> publisher.acknowledged().size() >= before + 200);
            publisher.stop();
            acked = new TreeSet<>(publisher.acknowledged());
            System.out.printf("acknowledged %d messages over %d connections%n", publisher.acknowledged().size(), publisher.connections());
        }
        // the publisher is stopped: what it had acknowledged is all in the store, once each
        assertThat(backend.awaitProcessed(Duration.ofSeconds(60))).isTrue();
        List<TelemetryStore.Row> rows = new TelemetryStore(backend.database()).query(device.deviceId(), Instant.EPOCH,
                Instant.now().plusSeconds(3600), 1_000_000);
        Set<Long> stored = new TreeSet<>();
        rows.forEach(r -> stored.add(r.seq()));
        assertThat(rows).as("each stored once").hasSize(stored.size());
        assertThat(stored).as("every acknowledged sequence number is stored").containsAll(acked);
    }

    /** Appends to {@code filler} until not one more byte fits (what others free meanwhile is taken at the next call). */
    private static void fill(Path filler) throws IOException {
        for (int size = 64 * 1024; size >= 1; size /= 8) {
            byte[] chunk = new byte[size];
            try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                while (true) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException full) {
                if (!String.valueOf(full.getMessage()).contains("No space left")) {
                    throw full;
                }
            }
        }
    }

}

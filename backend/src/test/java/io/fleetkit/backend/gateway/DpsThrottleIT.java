package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A burst of devices registering at once against a throttled DPS: many are answered 429 with
 * retry-after, and every one is assigned when it honours it. Reduced scale by default (50
 * devices, DPS at 600 operations/min with a burst of 60); the full run is
 * {@code -Dfleetkit.throttle.devices=1000 -Dfleetkit.throttle.profile=s1}.
 */
@Timeout(600)
@ThrowAwayPki.Use
class DpsThrottleIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void aBurstIsThrottledAndEveryDeviceCompletesByHonouringRetryAfter(ThrowAwayPki throwAway) throws Exception {
        int n = Integer.getInteger("fleetkit.throttle.devices", 50);
        String name = System.getProperty("fleetkit.throttle.profile", "reduced");
        ThrottleProfile profile = name.equals("reduced") ? new ThrottleProfile("reduced", 0, 0, 600, 5) : ThrottleProfile.parse(name);
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        ConcurrentLinkedQueue<DeviceIdentity> devices = new ConcurrentLinkedQueue<>();
        FactoryBatch.issue(issuer, pki.intermediate(), FactoryBatch.ids("burst-", 1, n), KeyAlgorithm.EC_P256,
                Runtime.getRuntime().availableProcessors(), devices::add, (d, t) -> { });

        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).throttle(profile).retryAfterSeconds(1).start()) {
            AtomicInteger throttled = new AtomicInteger();
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService clients = Executors.newFixedThreadPool(n);
            long start;
            List<Future<String>> results;
            try {
                results = devices.stream().map(d -> clients.submit(() -> registerHonouringRetryAfter(hub, pki, d, ready, go, throttled))).toList();
                assertThat(ready.await(300, TimeUnit.SECONDS)).as("all devices connected to DPS").isTrue();
                start = System.nanoTime();
                go.countDown(); // all register at once
                for (Future<String> r : results) {
                    assertThat(r.get(500, TimeUnit.SECONDS)).isEqualTo("assigned");
                }
            } finally {
                clients.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("DPS burst: %d devices, profile %s: %d answers were 429, all assigned in %.1f s (DPS counted %d throttled)%n",
                    n, profile.name(), throttled.get(), seconds, hub.throttles().counters().dpsThrottled());
            assertThat(throttled.get()).as("a burst over the limit sees 429s").isPositive();
            assertThat(hub.registry().count()).isEqualTo(n);
        }
    }

    /** One device: register, poll until assigned, waiting retry-after whenever answered 429 or 202. */
    static String registerHonouringRetryAfter(EmbeddedHub hub, PkiDirectory pki, DeviceIdentity d, CountDownLatch ready,
                                              CountDownLatch go, AtomicInteger throttled) throws Exception {
        try (PahoDevice p = new PahoDevice(hub.port(), d.registrationId().value())) {
            try {
                p.connect(DpsUsername.of(IdScope.DEFAULT, d.registrationId()).format(), TlsContexts.forDevice(d, pki.trustAnchors()));
                p.client().subscribe("$dps/registrations/res/#", 0);
            } finally {
                ready.countDown(); // a device that could not connect must not hold the others back; its result reports it
            }
            go.await();
            int rid = 0;
            String operationId = null;
            while (true) {
                rid++;
                if (operationId == null) {
                    p.publish("$dps/registrations/PUT/iotdps-register/?$rid=" + rid, "{\"registrationId\":\"" + d.registrationId() + "\"}", 0);
                } else {
                    p.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + rid + "&operationId=" + operationId, "", 0);
                }
                String expected = "$dps/registrations/res/";
                int r = rid;
                PahoDevice.Received answer = p.await(m -> m.topic().startsWith(expected) && m.topic().contains("$rid=" + r + "&")
                        || m.topic().endsWith("$rid=" + r), Duration.ofSeconds(60));
                DpsResponseTopic t = (DpsResponseTopic) Topic.parse(answer.topic());
                JsonNode body = JSON.readTree(answer.payload());
                if (t.status() == 429) {
                    throttled.incrementAndGet();
                } else if (t.status() == 202) {
                    operationId = body.get("operationId").asText();
                } else if (t.status() == 200) {
                    return body.get("registrationState").get("status").asText();
                } else {
                    return "failed " + t.status() + " " + answer.payload();
                }
                // the device honours retry-after: a pause the protocol asks for, not a wait for a condition
                TimeUnit.SECONDS.sleep(t.retryAfterSeconds().orElse(1));
            }
        }
    }
}

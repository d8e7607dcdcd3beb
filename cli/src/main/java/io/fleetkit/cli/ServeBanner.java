package io.fleetkit.cli;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.serviceapi.SharedAccessPolicies;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.pki.Certificates;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/** What {@code fleetkit serve} and {@code demo} print: what runs where at the start, and (serve) a status line every 10 seconds. */
final class ServeBanner {
    private ServeBanner() {
    }

    /** @param oidc the identity provider the REST API trusts, described; null for the dev issuer */
    static void started(PrintWriter out, Backend backend, HubOptions options, PkiDirectory dir, Path data, KafkaSettings kafka,
                        CaptureConfig capture, String oidc) {
        EmbeddedHub hub = backend.hub();
        String bind = options.bind;
        if (backend.cluster() != null) {
            var node = backend.cluster();
            out.printf("cluster node %d (%s): commands from the other nodes at %s; shared state in the store, streams on Kafka%n",
                    node.nodeId(), node.options().role().name().toLowerCase(), node.address());
        }
        if (hub == null) {
            out.printf("no hub in this process (--role backend): devices connect to the hub nodes%n");
        } else {
            hubStarted(out, hub, options, dir);
        }
        String http = "http://" + bind + ":" + backend.httpPort();
        out.printf("backend: store %s, streams %s %s%s%s%n", backend.database().dialect().name().toLowerCase(),
                backend.streams().keySet(), kafka == null ? "under " + data.resolve("streams") : "on " + StreamOptions.describe(kafka),
                capture != null ? ", capture to " + capture.store().describe() : "",
                backend.processors().isEmpty() ? "; no processors here (--role hub)" : "");
        out.printf("REST API on %s/api/v1 (docs %s/docs, metrics %s/metrics)%n", http, http, http);
        if (oidc == null) {
            out.printf("  a token: fleetkit token --data %s --user alice   (an operator: --admin)%n", data);
        } else {
            out.printf("  bearer tokens of %s%n", oidc);
        }
        if (backend.serviceApiPort() >= 0) {
            out.printf("IoT Hub service API on https://%s:%d (the official service SDKs; keys in %s)%n", bind, backend.serviceApiPort(),
                    data.resolve(SharedAccessPolicies.FILE));
            out.printf("  service connection string: %s%n", backend.serviceConnectionString(SharedAccessPolicies.OWNER));
            out.printf("  (the SDKs trust the PKI's root: %s)%n", dir.dir().resolve("root-ca.pem"));
        } else if (backend.serviceApiUnavailable() != null) {
            out.printf("no IoT Hub service API: %s%n", backend.serviceApiUnavailable());
        }
        out.flush();
    }

    private static void hubStarted(PrintWriter out, EmbeddedHub hub, HubOptions options, PkiDirectory dir) {
        String bind = options.bind;
        out.printf("fleetkit hub + DPS listening on %s:%d (MQTT 3.1.1 over TLS 1.2/1.3, client certificates required)%n", bind, hub.port());
        if (hub.dpsPort() >= 0) {
            out.printf("  DPS only also on %s:%d%n", bind, hub.dpsPort());
        }
        var hubs = options.hubHostNames();
        out.printf("  hub host names  %s%n", hubs.stream().map(HubHostName::value).toList());
        out.printf("  DPS id scope    %s%n", options.scope());
        out.printf("  throttling      %s%n", options.profile());
        out.println("  trusts devices from:");
        for (Enrollment e : hub.enrollments().all()) {
            if (e instanceof Enrollment.Group g) {
                out.printf("    group '%s': CA %s (SHA-256 %s)%n", g.name(), Certificates.commonName(g.ca()),
                        Certificates.sha256Thumbprint(g.ca()).substring(0, 16) + "…");
            } else {
                out.printf("    individual '%s'%n", e.name());
            }
        }
        out.printf("  server certificate %s (trust %s)%n", dir.dir().resolve("server.pem"), dir.dir().resolve("root-ca.pem"));
        out.printf("a device registers as %s and connects as %s%n",
                "{idScope}/registrations/{id}/api-version=2019-03-31", hubs.get(0).value() + "/{id}/?api-version=2020-09-30");
    }

    static void status(PrintWriter w, Backend backend) {
        EmbeddedHub hub = backend.hub();
        StringBuilder processed = new StringBuilder();
        backend.processors().forEach((group, p) -> processed.append(processed.isEmpty() ? "" : ", ").append(group).append(' ').append(p.handled()));
        String connected = backend.cluster() == null ? "connected " + backend.commands().connectedCount()
                : "connected " + backend.commands().connectedCount() + " in the cluster" + (hub == null ? "" : ", " + hub.localDevices().connectedCount() + " here");
        if (hub == null) {
            w.printf("%s; processed: %s%n", connected, processed);
        } else {
            var c = hub.throttles().counters();
            w.printf("devices registered %d, %s; processed: %s; throttled: connects %d delayed/%d refused, sends %d/%d, DPS 429s %d%n",
                    hub.registry().count(), connected, processed, c.connectsDelayed(), c.connectsRefused(), c.sendsDelayed(), c.sendsRefused(),
                    c.dpsThrottled());
        }
        w.flush();
    }

    /** What the demo prints once its platform runs: where, and the tokens its dashboard link carries. */
    static void demoStarted(PrintWriter out, Backend backend, Path data, String devUser) {
        String api = "http://127.0.0.1:" + backend.httpPort();
        out.printf("platform: hub + DPS on 127.0.0.1:%d, store %s under %s, REST API %s/api/v1 (docs %s/docs)%n",
                backend.hub().port(), backend.database().dialect().name().toLowerCase(), data, api, api);
        String operator = backend.devIssuer().mint("demo-operator", true, Duration.ofHours(12));
        String user = backend.devIssuer().mint(devUser, false, Duration.ofHours(12));
        out.printf("operator token (valid 12 h): %s%n", operator);
        out.printf("dev user '%s' token (valid 12 h): %s%n", devUser, user);
        out.printf("dashboard: %s/dashboard/#token=%s&user=%s%n", api, operator, user);
        out.flush();
    }
}

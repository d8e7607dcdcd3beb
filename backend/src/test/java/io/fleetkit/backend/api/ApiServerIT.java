package io.fleetkit.backend.api;

import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.ApiClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API over real HTTP, with no devices: authentication (every kind of bad token is 401),
 * strict input (400 naming the field), problem details for every error, and the unauthenticated
 * endpoints (health, metrics, OpenAPI, Swagger UI, the dev JWKS).
 */
@Timeout(60)
class ApiServerIT extends ApiTestBase {

    @Test
    void aValidTokenIsAccepted() {
        Response r = api.get("/api/v1/devices", alice);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items")).isEmpty();
        assertThat(r.json().get("next").isNull()).isTrue();
    }

    @Test
    void everyKindOfBadTokenIs401WithTheReason() {
        DevTokenIssuer issuer = backend.devIssuer();
        assertUnauthorized(api.get("/api/v1/devices", null), "missing");
        assertUnauthorized(api.send(api.request("/api/v1/devices", null).header("Authorization", "Basic YWxpY2U6cHc=")), "Bearer");
        assertUnauthorized(api.get("/api/v1/devices", "not.a.jwt"), "");
        assertUnauthorized(api.get("/api/v1/devices", issuer.mint("alice", false, DevTokenIssuer.ISSUER, DevTokenIssuer.AUDIENCE,
                Instant.now().minusSeconds(600))), "expired");
        assertUnauthorized(api.get("/api/v1/devices", issuer.mint("alice", false, DevTokenIssuer.ISSUER, "someone-else",
                Instant.now().plusSeconds(600))), "audience");
        assertUnauthorized(api.get("/api/v1/devices", issuer.mint("alice", false, "https://evil.example", DevTokenIssuer.AUDIENCE,
                Instant.now().plusSeconds(600))), "issuer");
        assertUnauthorized(api.get("/api/v1/devices", DevTokenIssuer.generate().mint("alice", true, Duration.ofMinutes(5))), "");
        // and on every route, not only the list
        assertUnauthorized(api.post("/api/v1/devices/dev-1/methods/reboot", null, "{}"), "missing");
        assertUnauthorized(api.delete("/api/v1/me", null), "missing");
    }

    private static void assertUnauthorized(Response r, String reasonContains) {
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(401);
        assertThat(r.json().get("detail").asText()).containsIgnoringCase(reasonContains);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer ").contains("invalid_token");
    }

    @Test
    void anUnknownDeviceIs404ForUsersAndOperatorsAlike() {
        for (String token : new String[]{alice, operator}) {
            assertProblem(api.get("/api/v1/devices/nobody", token), 404, null);
            assertProblem(api.get("/api/v1/devices/nobody/telemetry", token), 404, null);
            assertProblem(api.post("/api/v1/devices/nobody/methods/identify", token, "{}"), 404, null);
            assertProblem(api.delete("/api/v1/devices/nobody/owner", token), 404, null);
            assertProblem(api.post("/api/v1/devices/nobody/claims", token, null), 404, null);
            assertProblem(api.get("/api/v1/claims/no-such-claim", token), 404, null);
        }
    }

    @Test
    void badInputIs400NamingTheField() {
        assertProblem(api.get("/api/v1/devices/d1/telemetry?from=yesterday", alice), 400, "from");
        assertProblem(api.get("/api/v1/devices/d1/telemetry?limit=0", alice), 400, "limit");
        assertProblem(api.get("/api/v1/devices/d1/telemetry?limit=ten", alice), 400, "limit");
        assertProblem(api.get("/api/v1/devices/d1/telemetry?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", alice), 400, "from");
        assertProblem(api.get("/api/v1/devices?limit=5&limit=6", alice), 400, "limit");
        assertProblem(api.post("/api/v1/devices/d1/claims", alice, "{\"window\": 30}"), 400, "/window");
        assertProblem(api.post("/api/v1/devices/d1/claims", alice, "{\"windowSeconds\": \"30\"}"), 400, "/windowSeconds");
        assertProblem(api.post("/api/v1/devices/d1/claims", alice, "{\"windowSeconds\": 5}"), 400, "/windowSeconds");
        assertProblem(api.post("/api/v1/devices/d1/claims", alice, "[1, 2]"), 400, "");
        Response broken = api.post("/api/v1/devices/d1/claims", alice, "{\"windowSeconds\": 30,\n  }");
        assertProblem(broken, 400, "");
        assertThat(broken.json().get("detail").asText()).contains("not valid JSON").contains("line 2");
        assertProblem(api.post("/api/v1/devices/d1/methods/identify", alice, "{\"a\": 1} trailing"), 400, "");
        assertProblem(api.post("/api/v1/devices/d1/methods/identify", alice, "{\"a\": 1, \"a\": 2}"), 400, "");
        assertProblem(api.post("/api/v1/devices/d1/methods/identify?timeoutSeconds=1", alice, "{}"), 400, "timeoutSeconds");
        assertProblem(api.post("/api/v1/devices/d1/methods/" + "m".repeat(200), alice, "{}"), 400, "name");
    }

    @Test
    void tooLargeABodyIs413() {
        String big = "\"" + "x".repeat((int) ApiServer.BODY_LIMIT + 10) + "\"";
        assertProblem(api.post("/api/v1/devices/d1/methods/identify", alice, big), 413, null);
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        assertProblem(api.get("/api/v1/nothing-here", alice), 404, null);
        assertProblem(api.get("/nothing-here", null), 404, null);
        assertProblem(api.send(api.request("/api/v1/devices", alice).PUT(java.net.http.HttpRequest.BodyPublishers.noBody())), 405, null);
    }

    @Test
    void tooLongARequestLineIs414AndTooLargeHeadersAre431AsProblems() {
        assertProblem(api.get("/api/v1/devices/" + "x".repeat(5000), alice), 414, null);
        assertProblem(api.send(api.request("/healthz", null).header("X-Big", "y".repeat(10_000)).GET()), 431, null);
    }

    @Test
    void madeUpMethodsAreCountedAsOneLabelBeforeAuthentication() {
        for (int i = 0; i < 20; i++) {
            api.send(api.request("/api/v1/devices", null).method("MADEUP" + i, java.net.http.HttpRequest.BodyPublishers.noBody()));
        }
        String metrics = api.get("/metrics", null).text();
        assertThat(metrics).as("no label per made-up method").doesNotContain("MADEUP")
                .contains("fleetkit_http_requests_seconds_count{method=\"other\"");
    }

    private static void assertProblem(Response r, int status, String field) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("title").asText()).isNotBlank();
        assertThat(r.json().get("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        if (field != null) {
            assertThat(r.json().get("field")).as(r.text()).isNotNull();
            assertThat(r.json().get("field").asText()).isEqualTo(field);
        }
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRoutesServed() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            var db = backend.database();
            var devices = new io.fleetkit.backend.store.DeviceStateStore(db);
            var claimStore = new io.fleetkit.backend.store.ClaimStore(db);
            var services = new ApiServer.Services(TokenVerifier.forKeys(backend.devIssuer().publicKeys(), DevTokenIssuer.ISSUER,
                    DevTokenIssuer.AUDIENCE), null, devices, new io.fleetkit.backend.store.TelemetryStore(db), claimStore,
                    new io.fleetkit.backend.ownership.ClaimService(backend.hub().devices(), claimStore, devices, java.time.Clock.systemUTC()),
                    backend.hub().devices(), new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                    io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT), java.util.Map.of(),
                    () -> new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode(), backend.hub().dps(), () -> null);
            java.util.Set<String> served = new java.util.TreeSet<>();
            for (io.vertx.ext.web.Route route : ApiServer.router(vertx, services).getRoutes()) {
                String path = route.getPath();
                if (path == null || path.endsWith("*") || path.startsWith("/docs") || path.startsWith("/dashboard") || path.equals("/")
                        || route.methods() == null) {
                    continue; // handlers for every path, static assets, the Swagger UI page, the dashboard
                }
                route.methods().forEach(m -> served.add(m.name().toLowerCase() + " " + path.replaceAll(":(\\w+)", "{$1}")));
            }
            java.util.Set<String> documented = new java.util.TreeSet<>();
            api.get("/openapi.json", null).json().get("paths").fields().forEachRemaining(p ->
                    p.getValue().fieldNames().forEachRemaining(m -> documented.add(m + " " + p.getKey())));
            assertThat(documented).isEqualTo(served);
        } finally {
            vertx.close();
        }
    }

    @Test
    void theFleetIsASnapshotAndAStreamOfEvents() throws Exception {
        ApiClient.Response snapshot = api.get("/api/v1/fleet", operator);
        assertThat(snapshot.status()).isEqualTo(200);
        assertThat(snapshot.json().get("devicesConnected").asInt()).isZero();
        assertThat(snapshot.json().get("streamRecords").has("telemetry")).isTrue();
        assertThat(api.get("/api/v1/fleet", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/fleet/events", null).status()).isEqualTo(401);

        // an EventSource sends the token as a query parameter; the first event comes at once
        java.net.http.HttpResponse<java.io.InputStream> events = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + backend.httpPort()
                        + "/api/v1/fleet/events?access_token=" + operator)).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type")).contains("text/event-stream");
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(events.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("data: ")) {
                // retry:, event: and blank lines first
            }
            assertThat(line).startsWith("data: {").contains("\"devicesRegistered\"");
        }
        // the query token works on that stream only
        assertThat(api.get("/api/v1/devices?access_token=" + operator, null).status()).isEqualTo(401);
    }

    @Test
    void theDashboardIsServedWithItsChartLibrary() {
        ApiClient.Response root = api.send(api.request("/", null).GET());
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.header("Location")).isEqualTo("/dashboard/");
        ApiClient.Response page = api.get("/dashboard/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("<title>fleetkit dashboard</title>", "lib/uplot/uPlot.iife.min.js", "app.js");
        assertThat(api.get("/dashboard/app.js", null).status()).isEqualTo(200);
        assertThat(api.get("/dashboard/lib/uplot/uPlot.iife.min.js", null).status()).isEqualTo(200);
        assertThat(api.get("/dashboard/lib/uplot/uPlot.min.css", null).status()).isEqualTo(200);
    }

    @Test
    void healthMetricsOpenApiDocsAndJwksNeedNoToken() {
        Response health = api.get("/healthz", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks").get("store").asText()).isEqualTo("UP");
        assertThat(health.json().get("checks").fieldNames()).toIterable().as("every part, one by one")
                .contains("hub", "store", "stream.telemetry", "stream.lifecycle", "processor.store", "processor.device-state");

        api.get("/api/v1/devices", alice);
        Response metrics = api.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("fleetkit_hub_connected_devices").contains("fleetkit_processor_handled")
                .contains("fleetkit_processor_shared_decodes{stream=\"lifecycle\"}") // device state and ownership read it
                .contains("fleetkit_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/devices\",status=\"200\"}");

        Response openapi = api.get("/openapi.json", null);
        assertThat(openapi.json().get("openapi").asText()).startsWith("3.1");
        assertThat(openapi.json().get("paths").fieldNames()).toIterable().contains("/api/v1/devices", "/api/v1/devices/{id}",
                "/api/v1/devices/{id}/telemetry", "/api/v1/devices/{id}/methods/{name}", "/api/v1/devices/{id}/claims",
                "/api/v1/claims/{claimId}", "/api/v1/devices/{id}/owner", "/api/v1/me", "/healthz", "/metrics");

        Response docs = api.get("/docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.text()).contains("swagger-ui-bundle.js").contains("/openapi.json");
        assertThat(api.get("/docs/assets/swagger-ui-bundle.js", null).status()).isEqualTo(200);
        assertThat(api.get("/docs/assets/swagger-ui.css", null).status()).isEqualTo(200);

        Response jwks = api.get("/.well-known/jwks.json", null);
        assertThat(jwks.json().get("keys")).hasSize(1);
        assertThat(jwks.text()).doesNotContain("\"d\"");
    }
}

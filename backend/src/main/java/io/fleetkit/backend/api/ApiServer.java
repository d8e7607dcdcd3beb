package io.fleetkit.backend.api;

import io.fleetkit.backend.admission.HttpConnectionGuard;
import io.fleetkit.backend.admission.HttpLimits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.store.ClaimStore;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.TelemetryStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The REST API on Vert.x Web: {@code /api/v1/…} behind bearer JWTs, plus {@code /healthz},
 * {@code /metrics} (Prometheus), {@code /openapi.json}, Swagger UI at {@code /docs}, the dashboard at
 * {@code /dashboard/} and, with the dev issuer, its JWKS at {@code /.well-known/jwks.json}. Every
 * error is an RFC 9457 problem.
 */
public final class ApiServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiServer.class);
    private static final String CALLER = "fleetkit.caller";
    /** Direct-method payloads are at most 128 KB; no body the API reads is larger. */
    static final long BODY_LIMIT = io.fleetkit.protocol.message.Messages.METHOD_PAYLOAD_MAX_BYTES;

    /** What the API serves from. {@code devKeys} is null unless the dev issuer is in use. */
    public record Services(TokenVerifier tokens, JWKSet devKeys, DeviceStateStore devices, TelemetryStore telemetry,
                           ClaimStore claimStore, ClaimService claims, DeviceCommands commands, PrometheusMeterRegistry metrics,
                           Map<String, Supplier<Health>> healthChecks, Supplier<ObjectNode> fleet, DpsService dps,
                           Supplier<SwarmControl> swarm) {
        public Services {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(devices, "devices");
            Objects.requireNonNull(telemetry, "telemetry");
            Objects.requireNonNull(claimStore, "claimStore");
            Objects.requireNonNull(claims, "claims");
            Objects.requireNonNull(commands, "commands");
            Objects.requireNonNull(metrics, "metrics");
            healthChecks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(healthChecks)); // in the order given
            Objects.requireNonNull(fleet, "fleet");
            Objects.requireNonNull(dps, "dps");
            Objects.requireNonNull(swarm, "swarm (a supplier that may give null)");
        }
    }

    private final Vertx vertx;
    private final HttpServer server;

    private ApiServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Listens on {@code host:port} (0 for a free port).
     *
     * @throws IllegalStateException when the port cannot be bound, with the reason
     */
    public static ApiServer start(String host, int port, Services services) {
        return start(host, port, services, HttpLimits.defaults());
    }

    /** As {@link #start(String, int, Services)}, with the given bounds on clients. */
    public static ApiServer start(String host, int port, Services services, HttpLimits limits) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        HttpConnectionGuard guard = new HttpConnectionGuard(vertx, limits, new RefusalLog(LOG, java.time.Duration.ofSeconds(10)));
        Router router = router(vertx, services, guard);
        try {
            // HTTP/1.1 only: with cleartext HTTP/2 (h2c) on, Vert.x first waits for enough bytes to tell the two apart, and a
            // client trickling them would hold the connection before the guard sees it
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setHttp2ClearTextEnabled(false))
                    .connectionHandler(guard::opened)
                    .invalidRequestHandler(Problems::onInvalidRequest)
                    .requestHandler(router).listen().toCompletionStage().toCompletableFuture().join();
            return new ApiServer(vertx, server);
        } catch (CompletionException e) {
            vertx.close();
            throw new IllegalStateException("cannot listen for HTTP on " + host + ":" + port + ": " + e.getCause().getMessage()
                    + " (is another fleetkit serve using the port? choose one with --http-port)", e.getCause());
        }
    }

    public int port() {
        return server.actualPort();
    }

    static Router router(Vertx vertx, Services s) {
        return router(vertx, s, null);
    }

    private static Router router(Vertx vertx, Services s, HttpConnectionGuard guard) {
        Router router = Router.router(vertx);
        if (guard != null) {
            router.route().handler(guard::requestStarted);
        }
        router.route().handler(ctx -> timeRequest(ctx, s.metrics()));
        router.get("/healthz").handler(ctx -> health(ctx, s.healthChecks()));
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(s.metrics().scrape()));
        router.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(OPENAPI));
        router.get("/docs").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(DOCS));
        router.get("/docs/assets/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/" + webjarVersion("org.webjars", "swagger-ui")));
        router.get("/").handler(ctx -> ctx.redirect("/dashboard/"));
        router.get("/dashboard/lib/uplot/*").handler(StaticHandler.create("META-INF/resources/webjars/uplot/"
                + webjarVersion("org.webjars.npm", "uplot") + "/dist"));
        router.get("/dashboard/*").handler(StaticHandler.create("io/fleetkit/backend/dashboard").setCachingEnabled(false));
        if (s.devKeys() != null) {
            String jwks = s.devKeys().toString(true);
            router.get("/.well-known/jwks.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/jwk-set+json").end(jwks));
        }
        router.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        router.route("/api/v1/*").handler(ctx -> authenticate(ctx, s.tokens()));
        router.get("/api/v1/fleet").handler(ctx -> FleetEvents.snapshot(ctx, s.fleet()));
        router.get("/api/v1/fleet/events").handler(ctx -> FleetEvents.stream(ctx, s.fleet()));
        DeviceApi devices = new DeviceApi(s.devices(), s.telemetry(), s.commands());
        devices.mount(router);
        new ClaimApi(s.claims(), s.claimStore(), s.devices(), devices).mount(router);
        new SwarmApi(s.swarm()).mount(router);
        new ProvisioningApi(s.dps()).mount(router);
        router.route().failureHandler(Problems::onFailure);
        for (int status : new int[]{400, 404, 405, 413, 500}) {
            router.errorHandler(status, ctx -> Problems.onFailure(ctx));
        }
        return router;
    }

    /** The caller that {@link #authenticate} put on the request. */
    static Caller caller(RoutingContext ctx) {
        return Objects.requireNonNull(ctx.get(CALLER), "no caller: route outside /api/v1");
    }

    private static void authenticate(RoutingContext ctx, TokenVerifier tokens) {
        String header = ctx.request().getHeader("Authorization");
        String query = header == null && ctx.request().path().equals(FleetEvents.PATH) ? ctx.request().getParam("access_token") : null;
        // a browser's EventSource cannot send headers: that one stream takes the token as a query parameter (RFC 6750 §2.3)
        String authorization = query != null ? "Bearer " + query : header;
        // off the event loop: an identity provider's JWKS may have to be fetched
        ctx.vertx().executeBlocking(() -> tokens.verify(authorization), false).onComplete(r -> {
            if (r.succeeded()) {
                ctx.put(CALLER, r.result());
                ctx.next();
            } else if (r.cause() instanceof AuthenticationException e) {
                ctx.fail(new ApiProblem(401, "Unauthorized", e.getMessage(), null));
            } else {
                ctx.fail(r.cause());
            }
        });
    }

    /**
     * {@code /healthz}: every part's {@link Health}, 200 when all are UP, 503 naming each that is not, with why and since when:
     * {@code {"status":"DOWN","checks":{"store":"UP","stream.telemetry":"DOWN",…},"details":{"stream.telemetry":"DOWN since …: …"}}}.
     * A check that throws counts as DOWN with its exception.
     */
    private static void health(RoutingContext ctx, Map<String, Supplier<Health>> checks) {
        ctx.vertx().executeBlocking(() -> {
            Map<String, Health> results = new LinkedHashMap<>();
            checks.forEach((name, check) -> {
                Health h;
                try {
                    h = check.get();
                } catch (RuntimeException e) {
                    h = Health.down("the check failed: " + e, java.time.Instant.now());
                }
                results.put(name, h);
            });
            return results;
        }, false).onSuccess(results -> {
            boolean up = results.values().stream().allMatch(Health::up);
            ObjectNode body = Responses.JSON.createObjectNode().put("status", up ? "UP" : "DOWN");
            ObjectNode detail = body.putObject("checks");
            results.forEach((name, h) -> detail.put(name, h.up() ? "UP" : "DOWN"));
            if (!up) {
                ObjectNode why = body.putObject("details");
                results.forEach((name, h) -> {
                    if (!h.up()) {
                        why.put(name, h.toString());
                    }
                });
            }
            Responses.send(ctx, up ? 200 : 503, body);
        }).onFailure(ctx::fail);
    }

    /** The methods the request timer names; any other method a client sends is counted as "other". */
    private static final java.util.Set<String> TIMED_METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /**
     * Times every request, labelled by the route's template (never the raw path), one of {@link #TIMED_METHODS} or "other",
     * and the status: every label comes from a fixed set, so no client, authenticated or not, can grow the metrics.
     */
    private static void timeRequest(RoutingContext ctx, PrometheusMeterRegistry metrics) {
        long start = System.nanoTime();
        ctx.addEndHandler(done -> {
            String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath();
            String method = ctx.request().method().name();
            Timer.builder("fleetkit.http.requests").description("REST API requests")
                    .tag("method", TIMED_METHODS.contains(method) ? method : "other").tag("route", route)
                    .tag("status", Integer.toString(ctx.response().getStatusCode()))
                    .register(metrics).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
        ctx.next();
    }

    private static final Buffer OPENAPI = Buffer.buffer(resource("openapi.json"));
    private static final Buffer DOCS = Buffer.buffer(resource("docs.html"));

    private static byte[] resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name + " missing from the jar").readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String webjarVersion(String group, String artifact) {
        try (InputStream in = ApiServer.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            Properties p = new Properties();
            p.load(Objects.requireNonNull(in, "the " + artifact + " webjar is missing from the class path"));
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

package io.fleetkit.backend.serviceapi;

import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.admission.HttpConnectionGuard;
import io.fleetkit.backend.admission.HttpLimits;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.pki.Credential;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * IoT Hub's service API over HTTPS (https://learn.microsoft.com/rest/api/iothub/service), for the official service SDKs:
 * the registry, twins and direct methods, behind the hub's shared access policies. It listens on 443 by default because
 * the SDKs dial {@code https://{HostName}} and refuse a host name with a port in their connection strings; TLS is the
 * hub's server certificate from the PKI. Every request names an {@code api-version} the SDKs send; every error is IoT
 * Hub's shape ({@link IotHubError}).
 */
public final class ServiceApiServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceApiServer.class);
    /**
     * The service API versions fleetkit answers: those the Java (2021-04-12) and Node service SDKs send, and the earlier
     * versions whose shapes for these operations are the same. An unknown version is IoT Hub's 400001 InvalidProtocolVersion.
     */
    static final Set<String> API_VERSIONS = Set.of("2018-06-30", "2019-03-30", "2019-10-01", "2020-03-13", "2020-06-30", "2020-09-30",
            "2021-04-12");
    /** Direct-method payloads are at most 128 KB; twin patches 32 KB of desired properties and 8 KB of tags. */
    static final long BODY_LIMIT = 192 * 1024;
    private static final String OVERRIDDEN = "fleetkit.methodOverridden";

    /** What the service API works on; {@code hostNames} are the names its tokens may be for (the connection string's HostName). */
    public record Services(SharedAccessPolicies policies, List<String> hostNames, DeviceRegistry registry, DeviceCommands commands,
                           Credential tls, Clock clock) {
        public Services {
            Objects.requireNonNull(policies, "policies");
            hostNames = List.copyOf(hostNames);
            if (hostNames.isEmpty()) {
                throw new IllegalArgumentException("hostNames: at least one (the HostName of the connection strings)");
            }
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(commands, "commands");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(clock, "clock");
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Services services;

    private ServiceApiServer(Vertx vertx, HttpServer server, Services services) {
        this.vertx = vertx;
        this.server = server;
        this.services = services;
    }

    /**
     * Listens for HTTPS on {@code host:port} (0 for a free port).
     *
     * @throws IllegalStateException when the port cannot be bound, with the reason
     */
    public static ServiceApiServer start(String host, int port, Services services, HttpLimits limits) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8));
        HttpConnectionGuard guard = new HttpConnectionGuard(vertx, limits, new RefusalLog(LOG, java.time.Duration.ofSeconds(10)));
        try {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setSsl(true)
                            .setKeyCertOptions(keyCert(services.tls())).setHttp2ClearTextEnabled(false))
                    .connectionHandler(guard::opened)
                    .requestHandler(router(vertx, services, guard)).listen().toCompletionStage().toCompletableFuture().join();
            return new ServiceApiServer(vertx, server, services);
        } catch (CompletionException e) {
            vertx.close();
            throw new IllegalStateException("cannot listen for the service API on " + host + ":" + port + ": " + e.getCause().getMessage()
                    + (port < 1024 ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose another with --service-port)"
                    : " (is another fleetkit serve using it? choose another with --service-port)"), e.getCause());
        }
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * The service connection string of {@code policy}, for the hub's first host name. The official SDKs take no port in it
     * and dial 443: served elsewhere, it is for tools that can be told the port.
     */
    public String connectionString(String policy) {
        return services.policies().connectionString(services.hostNames().get(0), policy);
    }

    /** The hub's server certificate and key, from memory: no key file is written for the HTTP server. */
    private static KeyCertOptions keyCert(Credential tls) {
        try {
            char[] password = "fleetkit".toCharArray();
            KeyStore store = io.fleetkit.protocol.pki.Pkcs12.keyStore(tls, "server", password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return KeyCertOptions.wrap((X509KeyManager) kmf.getKeyManagers()[0]);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot use the server certificate for the service API: " + e.getMessage(), e);
        }
    }

    static Router router(Vertx vertx, Services s, HttpConnectionGuard guard) {
        Router router = Router.router(vertx);
        if (guard != null) {
            router.route().handler(guard::requestStarted);
        }
        // the Java SDK sends PATCH as POST with X-HTTP-Method-Override (HttpURLConnection has no PATCH)
        router.route().handler(ServiceApiServer::methodOverride);
        router.route().handler(ServiceApiServer::apiVersion);
        router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        SasAuthenticator sas = new SasAuthenticator(s.policies(), s.hostNames(), s.clock());
        new RegistryRoutes(s.registry(), s.commands(), s.clock(), sas).mount(router);
        new TwinRoutes(s.registry(), s.commands(), sas).mount(router);
        router.route().handler(ctx -> fail(ctx, IotHubError.of(404000, "NotFound", ctx.request().method() + " " + ctx.request().path()
                + " is not an operation of fleetkit's service API (see backend/README.md for what is)")));
        router.route().failureHandler(ServiceApiServer::onFailure);
        return router;
    }

    private static void methodOverride(RoutingContext ctx) {
        String override = ctx.request().getHeader("X-HTTP-Method-Override");
        if (override != null && ctx.request().method() == HttpMethod.POST && ctx.get(OVERRIDDEN) == null) {
            ctx.put(OVERRIDDEN, true);
            ctx.reroute(HttpMethod.valueOf(override.strip().toUpperCase(java.util.Locale.ROOT)), ctx.request().uri());
            return;
        }
        ctx.next();
    }

    private static void apiVersion(RoutingContext ctx) {
        String version = ctx.request().getParam("api-version");
        if (version == null || !API_VERSIONS.contains(version)) {
            fail(ctx, IotHubError.of(400001, "InvalidProtocolVersion", (version == null ? "no api-version" : "api-version '" + version + "' is not supported")
                    + "; fleetkit answers " + API_VERSIONS.stream().sorted().toList()));
            return;
        }
        ctx.next();
    }

    static void fail(RoutingContext ctx, IotHubError e) {
        ctx.fail(e.status, e);
    }

    /** Every failure in IoT Hub's error shape; the server's own faults logged with their tracking id. */
    private static void onFailure(RoutingContext ctx) {
        IotHubError e = asIotHubError(ctx.failure(), ctx.statusCode());
        String tracking = IotHubError.newTrackingId();
        if (e.status >= 500 && e.code != 504101) {
            LOG.warn("service API {} {} failed (tracking id {})", ctx.request().method(), ctx.request().path(), tracking, ctx.failure());
        }
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(e.status).putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("iothub-errorcode", e.name).end(e.body(tracking, java.time.Instant.now()));
        }
    }

    static IotHubError asIotHubError(Throwable failure, int status) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof IotHubError e) {
            return e;
        }
        if (t instanceof FleetkitException f) {
            return switch (f.kind()) {
                case INVALID_INPUT -> IotHubError.badRequest(f.getMessage());
                case UNAUTHENTICATED, FORBIDDEN -> IotHubError.unauthorized(f.getMessage());
                case NOT_FOUND -> IotHubError.of(404001, "DeviceNotFound", f.getMessage());
                case CONFLICT -> IotHubError.of(409001, "DeviceAlreadyExists", f.getMessage());
                case PRECONDITION_FAILED -> IotHubError.of(412001, "PreconditionFailed", f.getMessage());
                case THROTTLED -> IotHubError.of(429001, "ThrottlingException", f.getMessage());
                case UNAVAILABLE -> IotHubError.of(503001, "ServiceUnavailable", f.getMessage());
                case TIMEOUT -> IotHubError.of(504000, "GatewayTimeout", f.getMessage());
                case INTERNAL -> IotHubError.of(500001, "ServerError", f.getMessage());
            };
        }
        if (t == null) {
            return switch (status) {
                case 413 -> IotHubError.of(413001, "MessageTooLarge", "the request body is over " + BODY_LIMIT / 1024 + " KB");
                case 405 -> IotHubError.of(405000, "MethodNotAllowed", "the method is not allowed on this path");
                case 404 -> IotHubError.of(404000, "NotFound", "no such operation");
                default -> status >= 400 && status < 500 ? IotHubError.of(status * 1000, "BadRequest", "the request could not be read")
                        : IotHubError.of(500001, "ServerError", "the server failed to answer (see its log)");
            };
        }
        if (t instanceof IllegalArgumentException) {
            return IotHubError.badRequest(t.getMessage());
        }
        return IotHubError.of(500001, "ServerError", "the server failed to answer (see its log)");
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

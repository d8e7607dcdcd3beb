package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.routing.RoutesConfig;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import io.fleetkit.backend.api.OperatorClaim;
import io.fleetkit.backend.api.TokenVerifier;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@code fleetkit serve}: the local IoT Hub + DPS and the backend behind it, until Ctrl-C (or --duration). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the local IoT Hub + Device Provisioning Service (MQTT 3.1.1 over TLS, X.509 client certificates)",
                "and the backend: routing into durable streams, processors, the store and the REST API.",
                "DPS has a group enrollment for the PKI's intermediate CA; devices register, then connect to the hub.",
                "Stops cleanly on Ctrl-C."})
final class ServeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "fleetkit-data",
            description = "data directory: streams, the H2 store, the dev token issuer (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--pki", paramLabel = "DIR", description = "a PKI made by 'fleetkit pki init' (default: DIR/pki of --data)")
    Path pki;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "REST API port on the --bind address (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int httpPort;

    @Option(names = "--service-port", paramLabel = "PORT",
            description = "IoT Hub's service API (HTTPS, for the official service SDKs) on the --bind address (default: 443, which"
                    + " the SDKs dial; when 443 cannot be bound serve says so and runs without it; 0 picks a free one)")
    Integer servicePort;

    @Option(names = "--no-service-api", description = "do not serve IoT Hub's service API")
    boolean noServiceApi;

    @Option(names = "--oidc-issuer", paramLabel = "URL",
            description = "trust the REST API's bearer tokens of this OpenID Connect provider (its keys found by discovery, refreshed when"
                    + " it rotates them) instead of the dev issuer; needs --oidc-audience")
    String oidcIssuer;

    @Option(names = "--oidc-audience", paramLabel = "AUD", description = "the audience (aud) the provider's tokens must name for this API")
    String oidcAudience;

    @Option(names = "--operator-claim", paramLabel = "CLAIM=VALUE", defaultValue = "scope=fleet.admin",
            description = "which claim and value make a caller an operator, like roles=fleet-operator (a nested claim with dots)"
                    + " (default: ${DEFAULT-VALUE})")
    String operatorClaim;

    @Option(names = "--database-url", paramLabel = "JDBC-URL",
            description = "the store, e.g. jdbc:postgresql://127.0.0.1:5432/fleet (default: an H2 file database under --data);"
                    + " the password comes from the environment variable FLEETKIT_DATABASE_PASSWORD")
    String databaseUrl;

    @Option(names = "--database-user", paramLabel = "USER", defaultValue = "postgres", description = "database user (default: ${DEFAULT-VALUE})")
    String databaseUser;

    @Option(names = "--routes", paramLabel = "FILE",
            description = "routes as JSON: {\"fallback\": true, \"routes\": [{\"name\", \"source\", \"condition\", \"endpoint\"}, …]}"
                    + " (default: telemetry, lifecycle + presence + connection events, alerts, fallback to events)")
    Path routes;

    @Mixin
    HubOptions hub;

    @Mixin
    StreamOptions streams;

    @Mixin
    CaptureOptions capture;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "stop after this long, e.g. 90s or 10m (default: run until Ctrl-C)")
    Duration duration;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        Consumer<EmbeddedHub.Builder> hubSettings = hub.settings();
        hub.checkPort("--http-port", httpPort);
        if (servicePort != null) {
            hub.checkPort("--service-port", servicePort);
            if (noServiceApi) {
                throw new CommandLine.ParameterException(cli, "--service-port and --no-service-api contradict each other");
            }
        }
        Path pkiDir = pki != null ? pki : data.resolve("pki");
        if (!Files.isDirectory(pkiDir)) {
            throw new CommandLine.ParameterException(cli, "no PKI in " + pkiDir + ": make one with 'fleetkit pki init --dir " + pkiDir
                    + "' (or name another with --pki)");
        }
        PkiDirectory dir = PkiDirectory.load(pkiDir);
        KafkaSettings kafka = streams.settings();
        var node = cluster.options(databaseUrl != null && databaseUrl.toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:postgresql:"), kafka != null);
        Backend.Builder builder = Backend.builder(dir, data).http(hub.bind, httpPort).hub(hubSettings).kafka(kafka).cluster(node);
        TokenVerifier tokens = tokens(cli);
        if (tokens != null) {
            builder.tokens(tokens);
        }
        if (!noServiceApi) {
            builder.serviceApi(servicePort != null ? servicePort : 443, null, servicePort != null);
        }
        if (routes != null) {
            RoutesConfig config;
            try {
                config = RoutesConfig.load(routes);
            } catch (IllegalArgumentException | ProtocolException e) {
                throw new CommandLine.ParameterException(cli, "--routes: " + e.getMessage());
            }
            builder.routes(config.routes(), config.fallback());
        }
        if (databaseUrl != null) {
            String password = System.getenv().getOrDefault("FLEETKIT_DATABASE_PASSWORD", "");
            builder.database(Database.open(databaseUrl, databaseUser, password, null));
        }
        CaptureConfig captureConfig = capture.config(data);
        if (captureConfig != null) {
            builder.capture("telemetry", captureConfig);
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Ctrl-C: the hook asks this thread to stop and waits until it has closed the backend cleanly
        try (CtrlC ctrlC = CtrlC.install("fleetkit-shutdown", Duration.ofSeconds(15), stop::countDown)) {
            try (Backend backend = builder.start()) {
                ServeBanner.started(out, backend, hub, dir, data, kafka, captureConfig,
                        oidcIssuer == null ? null : oidcIssuer + " (audience " + oidcAudience + "; operators: " + operatorClaim + ")");
                long started = System.nanoTime();
                while (true) {
                    long left = duration == null ? Long.MAX_VALUE : duration.toNanos() - (System.nanoTime() - started);
                    if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    ServeBanner.status(cli.getErr(), backend);
                }
                ServeBanner.status(out, backend);
                out.println("stopping");
                out.flush();
            }
            out.println("stopped");
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The OpenID Connect provider's verifier when one is named; null for the dev issuer. */
    private TokenVerifier tokens(CommandLine cli) {
        OperatorClaim operator;
        try {
            operator = OperatorClaim.parse(operatorClaim);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--operator-claim: " + e.getMessage());
        }
        if (oidcIssuer == null) {
            if (oidcAudience != null) {
                throw new CommandLine.ParameterException(cli, "--oidc-audience needs --oidc-issuer");
            }
            if (!operator.equals(OperatorClaim.DEFAULT)) {
                throw new CommandLine.ParameterException(cli, "--operator-claim needs --oidc-issuer (the dev issuer mints scope=fleet.admin)");
            }
            return null;
        }
        if (oidcAudience == null || oidcAudience.isBlank()) {
            throw new CommandLine.ParameterException(cli, "--oidc-issuer needs --oidc-audience: the aud its tokens name for this API");
        }
        try {
            return TokenVerifier.forIssuer(oidcIssuer, oidcAudience, operator, Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
    }
}

package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.routing.RoutesConfig;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.pki.Certificates;
import io.fleetkit.protocol.pki.Pem;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    @Option(names = "--capture", description = "archive telemetry as Avro files in the Event Hubs Capture layout under DIR/capture of --data")
    boolean capture;

    @Option(names = "--capture-fields", paramLabel = "PATHS", split = ",",
            description = "with --capture, the telemetry body paths archived, scalars only (default: v,type,seq,ts,readings.* — "
                    + "name readings one by one, e.g. readings.temperature, if a reading could hold personal data)")
    java.util.List<String> captureFields;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8883",
            description = "port (default: ${DEFAULT-VALUE}, which the Azure SDKs dial; 0 picks a free one)")
    int port;

    @Option(names = "--dps-port", paramLabel = "PORT",
            description = "also serve DPS alone on this port (default: DPS shares the main port, told apart by the username)")
    Integer dpsPort;

    @Option(names = "--hub-host", paramLabel = "NAME", split = ",", defaultValue = "127.0.0.1",
            description = "host names of the hub that DPS assigns devices to (default: ${DEFAULT-VALUE})")
    List<String> hubHosts;

    @Option(names = "--id-scope", paramLabel = "SCOPE", defaultValue = "0ne00000001", description = "the DPS id scope (default: ${DEFAULT-VALUE})")
    String idScope;

    @Option(names = "--throttle", paramLabel = "PROFILE", defaultValue = "off",
            description = "Azure-like throttling: off, f1, s1, s2, s3, with units as in s1x4 (default: ${DEFAULT-VALUE})")
    String throttle;

    @Option(names = "--enroll-ca", paramLabel = "PEM", description = "another CA certificate to accept devices from (repeatable)")
    List<Path> extraCas = new ArrayList<>();

    @Option(names = "--enroll-device", paramLabel = "PEM", description = "a device certificate to enroll individually (repeatable)")
    List<Path> extraDevices = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "stop after this long, e.g. 90s or 10m (default: run until Ctrl-C)")
    Duration duration;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        ThrottleProfile profile = parse(cli, "--throttle", () -> ThrottleProfile.parse(throttle));
        IdScope scope = parse(cli, "--id-scope", () -> IdScope.of(idScope));
        List<HubHostName> hubs = parse(cli, "--hub-host", () -> hubHosts.stream().map(HubHostName::of).toList());
        checkBindAddress(cli, bind);
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cli, "--port must be 0–65535, was " + port);
        }
        if (dpsPort != null && (dpsPort < 0 || dpsPort > 65535)) {
            throw new CommandLine.ParameterException(cli, "--dps-port must be 0–65535, was " + dpsPort);
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new CommandLine.ParameterException(cli, "--http-port must be 0–65535, was " + httpPort);
        }
        Path pkiDir = pki != null ? pki : data.resolve("pki");
        if (!Files.isDirectory(pkiDir)) {
            throw new CommandLine.ParameterException(cli, "no PKI in " + pkiDir + ": make one with 'fleetkit pki init --dir " + pkiDir
                    + "' (or name another with --pki)");
        }
        PkiDirectory dir = PkiDirectory.load(pkiDir);
        List<Enrollment> enrollments = new ArrayList<>();
        for (Path ca : extraCas) {
            X509Certificate c = Pem.readCertificates(ca).get(0);
            enrollments.add(new Enrollment.Group(ca.getFileName().toString(), c, true));
        }
        for (Path device : extraDevices) {
            enrollments.add(Enrollment.Individual.of(Pem.readCertificates(device).get(0)));
        }
        Backend.Builder builder = Backend.builder(dir, data).http(bind, httpPort).hub(h -> {
            h.bind(bind).port(port).hubHostNames(hubs).idScope(scope).throttle(profile).dpsPort(dpsPort == null ? -1 : dpsPort);
            enrollments.forEach(h::enrollment);
        });
        if (routes != null) {
            RoutesConfig config = parse(cli, "--routes", () -> RoutesConfig.load(routes));
            builder.routes(config.routes(), config.fallback());
        }
        if (databaseUrl != null) {
            String password = System.getenv().getOrDefault("FLEETKIT_DATABASE_PASSWORD", "");
            builder.database(Database.open(databaseUrl, databaseUser, password, null));
        }
        if (capture) {
            builder.capture("telemetry", new CaptureConfig(data.resolve("capture"), "fleetkit", "local", Duration.ofMinutes(1), 64L << 20,
                    captureFields == null ? Backend.CAPTURED_BODY_FIELDS : Set.copyOf(captureFields), Set.of()));
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C: the hook asks the main thread to stop and waits until it has closed the hub cleanly
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fleetkit-shutdown");
        boolean running = false;
        try (Backend backend = builder.start()) {
            running = true;
            EmbeddedHub hub = backend.hub();
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("fleetkit hub + DPS listening on %s:%d (MQTT 3.1.1 over TLS 1.2/1.3, client certificates required)%n", bind, hub.port());
            if (hub.dpsPort() >= 0) {
                out.printf("  DPS only also on %s:%d%n", bind, hub.dpsPort());
            }
            out.printf("  hub host names  %s%n", hubs.stream().map(HubHostName::value).toList());
            out.printf("  DPS id scope    %s%n", scope);
            out.printf("  throttling      %s%n", profile);
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
            String http = "http://" + bind + ":" + backend.httpPort();
            out.printf("backend: store %s, streams %s under %s%s%n", backend.database().dialect().name().toLowerCase(),
                    backend.streams().keySet(), data.resolve("streams"), capture ? ", capture under " + data.resolve("capture") : "");
            out.printf("REST API on %s/api/v1 (docs %s/docs, metrics %s/metrics)%n", http, http, http);
            out.printf("  a token: fleetkit token --data %s --user alice   (an operator: --admin)%n", data);
            out.flush();
            long started = System.nanoTime();
            while (true) {
                long left = duration == null ? Long.MAX_VALUE : duration.toNanos() - (System.nanoTime() - started);
                if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS)) {
                    break;
                }
                status(cli.getErr(), backend);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is already on its way out
            }
            status(out, backend);
            out.println("stopping");
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (running) {
                out.println("stopped");
                out.flush();
            }
            stopped.countDown();
        }
    }

    private static void status(PrintWriter w, Backend backend) {
        EmbeddedHub hub = backend.hub();
        var c = hub.throttles().counters();
        StringBuilder processed = new StringBuilder();
        backend.processors().forEach((group, p) -> processed.append(processed.isEmpty() ? "" : ", ").append(group).append(' ').append(p.handled()));
        w.printf("devices registered %d, connected %d; processed: %s; throttled: connects %d delayed/%d refused, sends %d/%d, DPS 429s %d%n",
                hub.registry().count(), hub.devices().connectedCount(), processed, c.connectsDelayed(), c.connectsRefused(),
                c.sendsDelayed(), c.sendsRefused(), c.dpsThrottled());
        w.flush();
    }

    /** An IP literal, or a host name; something that looks like an IPv4 address must be one (each part 0–255). */
    static void checkBindAddress(CommandLine cli, String bind) {
        boolean dotted = bind.matches("[0-9.]+");
        boolean ip = io.netty.util.NetUtil.isValidIpV4Address(bind) || io.netty.util.NetUtil.isValidIpV6Address(bind);
        if ((dotted && !ip) || (!ip && !bind.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"))) {
            throw new CommandLine.ParameterException(cli, "--bind " + bind + ": not an IP address (IPv4: four parts of 0–255, "
                    + "e.g. 127.0.0.1) or a host name");
        }
    }

    private static <T> T parse(CommandLine cli, String option, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(cli, option + ": " + e.getMessage());
        }
    }
}

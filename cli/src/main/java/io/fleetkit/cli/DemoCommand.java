package io.fleetkit.cli;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code fleetkit demo}: the quick start. A PKI under {@code --data} (reused on the next run), the
 * whole platform in this process — hub + DPS, streams, processors, the H2 store and the REST API —
 * a swarm going through the whole lifecycle, direct methods called on it, and a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The quick start, on embedded defaults.",
                "A PKI under --data (a second run reuses it), the local IoT Hub + DPS and the backend (streams, processors, "
                        + "H2 store, REST API), a swarm through provisioning, connection, telemetry and direct methods, and a summary.",
                "Stops after --duration or on Ctrl-C."})
final class DemoCommand implements Runnable {
    /** The user the dashboard's ownership page claims devices as. */
    static final String DEV_USER = "alice";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "fleetkit-data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices in the swarm (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "60s",
            description = "how long to run (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "REST API port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int httpPort;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "10",
            description = "telemetry X times as often as the device model says (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--throttle", paramLabel = "PROFILE", defaultValue = "off",
            description = "emulate Azure's quotas: off, f1, s1, s2, s3, optionally with units (s1x4); the dashboard can switch it (default: ${DEFAULT-VALUE})")
    String throttle;

    /** Counted down to stop the demo early, as Ctrl-C does (tests). */
    final CountDownLatch stop = new CountDownLatch(1);

    /** Hub and devices share this process, two connections per device, and it may hold 20,000 file descriptors. */
    static final int MAX_DEVICES = 9_500;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        if (devices < 1 || devices > MAX_DEVICES) {
            throw new CommandLine.ParameterException(cli, "--devices must be 1–" + MAX_DEVICES + " (hub and devices share this process: two "
                    + "connections per device, and a process may hold 20,000 file descriptors; run 'fleetkit serve' and 'fleetkit sim' "
                    + "apart for more), was " + devices);
        }
        ThrottleProfile profile;
        try {
            profile = ThrottleProfile.parse(throttle);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--throttle: " + e.getMessage());
        }
        PrintWriter out = cli.getOut();
        Path dir = data.resolve("pki");
        if (PkiDirectory.exists(dir)) {
            out.println("reusing the PKI in " + dir);
        } else {
            PkiDirectory.init(dir, PkiDirectory.DEFAULT_SERVER_SANS, new CertificateIssuer());
            out.println("created a PKI in " + dir);
        }
        out.flush();
        if (httpPort < 0 || httpPort > 65535) {
            throw new CommandLine.ParameterException(cli, "--http-port must be 0–65535, was " + httpPort);
        }
        PkiDirectory pkiDir = PkiDirectory.load(dir);
        // Ctrl-C: the swarm stops and prints its summary (its own hook); this one keeps the JVM alive until the
        // backend has reported what it stored and closed its files
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                done.await(40, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fleetkit-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Backend backend = Backend.builder(pkiDir, data).hub(h -> h.port(0).throttle(profile)).http("127.0.0.1", httpPort).start()) {
            String api = "http://127.0.0.1:" + backend.httpPort();
            out.printf("platform: hub + DPS on 127.0.0.1:%d, store %s under %s, REST API %s/api/v1 (docs %s/docs)%n",
                    backend.hub().port(), backend.database().dialect().name().toLowerCase(), data, api, api);
            String operator = backend.devIssuer().mint("demo-operator", true, Duration.ofHours(12));
            String user = backend.devIssuer().mint(DEV_USER, false, Duration.ofHours(12));
            out.printf("operator token (valid 12 h): %s%n", operator);
            out.printf("dev user '%s' token (valid 12 h): %s%n", DEV_USER, user);
            out.printf("dashboard: %s/dashboard/#token=%s&user=%s%n", api, operator, user);
            out.flush();
            // the swarm command on the demo's platform: methods called on the swarm through the hub
            SimCommand sim = new SimCommand();
            sim.providedHub = backend.hub();
            sim.stop = stop;
            sim.swarmListener = swarm -> backend.attachSwarm(swarm == null ? null : new DemoSwarm(swarm, pkiDir, MAX_DEVICES, "thermostat", sim.flash));
            CommandLine simLine = new CommandLine(sim);
            simLine.setOut(out);
            simLine.setErr(cli.getErr());
            simLine.parseArgs("--pki", dir.toString(), "--devices", Integer.toString(devices),
                    "--method-rate", "20", "--rate-multiplier", Double.toString(rateMultiplier),
                    "--duration", duration.toMillis() + "ms", "--summary", data.resolve("summary.json").toString(),
                    "--flash", data.resolve("flash.json").toString());
            sim.run();
            boolean caughtUp = backend.awaitProcessed(Duration.ofSeconds(30));
            out.printf("backend: %d telemetry rows and %d devices in the store%s%n", telemetryRows(backend), devicesStored(backend),
                    caughtUp ? "" : " (processors still catching up)");
            out.flush();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is on its way out, after this
            }
        }
    }

    private static long telemetryRows(Backend backend) {
        return new TelemetryStore(backend.database()).countAll();
    }

    private static long devicesStored(Backend backend) {
        return new DeviceStateStore(backend.database()).count();
    }
}

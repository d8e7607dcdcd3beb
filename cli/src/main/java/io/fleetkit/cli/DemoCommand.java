package io.fleetkit.cli;

import io.fleetkit.backend.Backend;
import io.fleetkit.bench.load.MethodCalls;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.firmware.swarm.SwarmRun;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private volatile SwarmRun run;
    private volatile boolean stopped;

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
        boolean reuse = PkiDirectory.exists(dir);
        if (!reuse) {
            PkiDirectory.init(dir, PkiDirectory.DEFAULT_SERVER_SANS, new CertificateIssuer());
        }
        out.println((reuse ? "reusing the PKI in " : "created a PKI in ") + dir);
        out.flush();
        if (httpPort < 0 || httpPort > 65535) {
            throw new CommandLine.ParameterException(cli, "--http-port must be 0–65535, was " + httpPort);
        }
        PkiDirectory pkiDir = PkiDirectory.load(dir);
        Path flashFile = data.resolve("flash.json");
        Map<DeviceId, NonVolatileState> flash = SwarmOptions.flash(cli, flashFile);
        List<DeviceIdentity> identities = SwarmIdentities.load(pkiDir, 1, devices, cli.getErr());
        // Ctrl-C: the swarm stops and prints its summary; the backend then reports what it stored and closes its files
        try (CtrlC ctrlC = CtrlC.install("fleetkit-demo-stop", Duration.ofSeconds(40), this::stop);
             Backend backend = Backend.builder(pkiDir, data).hub(h -> h.port(0).throttle(profile)).http("127.0.0.1", httpPort).start()) {
            ServeBanner.demoStarted(out, backend, data, DEV_USER);
            SwarmOptions options = new SwarmOptions();
            SwarmConfig config = options.config("127.0.0.1", backend.hub().port(), IdScope.of("0ne00000001"), rateMultiplier);
            SwarmRun run = new SwarmRun(config, identities, id -> Optional.ofNullable(flash.get(id)), pkiDir.trustAnchors(), Clock.systemUTC())
                    .hubInProcess();
            out.printf("swarm: %d %s devices → 127.0.0.1:%d (in this process) (id scope %s), ramp %.0f/s, telemetry ×%s, for %s%n",
                    devices, config.model().id(), backend.hub().port(), config.idScope(), config.rampPerSecond(), rateMultiplier, duration);
            out.flush();
            // beside the swarm: 20 method calls a second through the hub, and the dashboard's control of the swarm
            SwarmListeners listener = new SwarmListeners(cli.getErr(), flashFile, swarm -> {
                backend.attachSwarm(new DemoSwarm(swarm, pkiDir, MAX_DEVICES, options.model, flash));
                MethodCalls methods = MethodCalls.start(backend.hub().devices(), swarm, MethodName.of("getDiagnostics"), 20, options.seed);
                return () -> {
                    methods.close();
                    backend.attachSwarm(null);
                };
            });
            this.run = run;
            if (!stopped) {
                SimCommand.runToTheEnd(run, duration, listener, data.resolve("summary.json"), out);
            }
            boolean caughtUp = backend.awaitProcessed(Duration.ofSeconds(30));
            out.printf("backend: %d telemetry rows and %d devices in the store%s%n", new TelemetryStore(backend.database()).countAll(),
                    new DeviceStateStore(backend.database()).count(),
                    caughtUp ? "" : " (processors still catching up)");
            out.flush();
        }
    }

    /** Stops the demo early, as Ctrl-C does (tests); any thread. */
    void stop() {
        stopped = true;
        SwarmRun r = run;
        if (r != null) {
            r.stop();
        }
    }

}

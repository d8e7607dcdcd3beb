package io.fleetkit.cli;

import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.bench.load.MethodCalls;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.firmware.swarm.SwarmRun;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code fleetkit sim}: a swarm of simulated devices against a hub (the local one, or Azure). */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Run a swarm of simulated devices through the whole lifecycle: DPS, hub, telemetry, direct methods.",
                "Device identities come from the PKI directory; missing ones are issued. A progress line every 5 s,",
                "a summary at the end; the exit status is 1 when any device gave up."})
final class SimCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pki", paramLabel = "DIR", description = "the PKI (devices are taken from DIR/devices); required unless --combine")
    Path pki;

    @Option(names = "--combine", paramLabel = "SUMMARY", split = ",",
            description = "instead of running, combine the JSON summaries of swarm processes that ran together (a,b,c)")
    List<Path> combine;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "100", description = "how many devices (default: ${DEFAULT-VALUE})")
    int devices;

    @Mixin
    DpsTarget dps;

    @Mixin
    SwarmOptions swarm;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "1",
            description = "send telemetry X times as often as the model says (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "60s",
            description = "how long to run, e.g. 90s or 10m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--embedded-hub", description = "run the hub + DPS in this process (its own free port) instead of using --target")
    boolean embeddedHub;

    @Option(names = "--method-rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "call a direct method on random online devices this often and measure round trips (needs --embedded-hub)")
    double methodRate;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "getDiagnostics", description = "the method --method-rate calls (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--summary", paramLabel = "FILE", description = "write the JSON summary here")
    Path summaryFile;

    @Option(names = "--flash", paramLabel = "FILE",
            description = "keep the devices' flash (assigned hub, telemetry interval, next sequence number) in FILE between runs, "
                    + "as real devices do: the next run goes straight to the hub and continues the numbering (default: from the factory)")
    Path flashFile;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        if (combine != null && !combine.isEmpty()) {
            SwarmSummaries.report(SwarmSummaries.combine(cli, combine), summaryFile, cli.getOut());
            return;
        }
        if (pki == null) {
            throw new CommandLine.ParameterException(cli, "Missing required option: '--pki=DIR' (or give --combine)");
        }
        check(devices >= 1 && devices <= 200_000, "--devices must be 1–200000, was " + devices);
        check(rateMultiplier > 0 && rateMultiplier <= 1000, "--rate-multiplier must be above 0 and at most 1000, was " + rateMultiplier);
        check(methodRate >= 0 && methodRate <= 10_000, "--method-rate must be 0–10000, was " + methodRate);
        check(methodRate == 0 || embeddedHub, "--method-rate needs --embedded-hub (a separate 'fleetkit serve' takes method calls"
                + " on its REST API: POST /api/v1/devices/{id}/methods/{name})");
        MethodName methodName;
        try {
            methodName = MethodName.of(method);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--method: " + e.getMessage());
        }
        IdScope scope = dps.scope();
        String host = dps.host();
        int port = dps.port();
        swarm.deviceModel(); // a wrong --model is named before any identity is issued
        Map<DeviceId, NonVolatileState> flash = SwarmOptions.flash(cli, flashFile);
        PkiDirectory dir = PkiDirectory.load(pki);
        PrintWriter err = cli.getErr();
        var identities = SwarmIdentities.load(dir, 1, devices, err);
        try (EmbeddedHub hub = embeddedHub ? EmbeddedHub.builder(dir).port(0).idScope(scope).start() : null) {
            String shown = hub == null ? dps.target : "127.0.0.1:" + hub.port() + " (in this process)";
            SwarmConfig config = hub == null ? swarm.config(host, port, scope, rateMultiplier)
                    : swarm.config("127.0.0.1", hub.port(), scope, rateMultiplier);
            SwarmRun run = new SwarmRun(config, identities, id -> Optional.ofNullable(flash.get(id)), dir.trustAnchors(), Clock.systemUTC());
            if (hub != null) {
                run.hubInProcess();
            }
            cli.getOut().printf("swarm: %d %s devices → %s (id scope %s), ramp %.0f/s, telemetry ×%s, for %s%n", devices,
                    config.model().id(), shown, scope, config.rampPerSecond(), rateMultiplier, duration);
            cli.getOut().flush();
            SwarmListeners listener = new SwarmListeners(err, flashFile, hub == null || methodRate == 0 ? null
                    : s -> MethodCalls.start(hub.devices(), s, methodName, methodRate, swarm.seed));
            runToTheEnd(run, duration, listener, summaryFile, cli.getOut());
        }
    }

    /** Runs until the duration is over or Ctrl-C, then reports; the flash is kept however the run ended. */
    static void runToTheEnd(SwarmRun run, Duration duration, SwarmListeners listener, Path summaryFile, PrintWriter out) {
        SwarmRun.Result result;
        try (CtrlC ctrlC = CtrlC.install("fleetkit-swarm-stop", Duration.ofSeconds(20), run::stop)) {
            try {
                result = run.run(duration, listener);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                listener.saveFlash();
            }
            SwarmSummaries.report(result.summary(), summaryFile, out);
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}

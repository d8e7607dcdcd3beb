package io.fleetkit.cli;

import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code fleetkit demo}: the quick start. A PKI under {@code --data} (reused on the next run),
 * the local hub + DPS in this process, a swarm going through the whole lifecycle, direct methods
 * called on it, and a summary. The backend (store, REST API) and the dashboard join it with their issue.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The quick start, on embedded defaults: a PKI under --data (a second run reuses it), the local",
                "IoT Hub + DPS, a swarm through provisioning, connection, telemetry and direct methods, and a summary.",
                "Stops after --duration or on Ctrl-C."})
final class DemoCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "fleetkit-data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices in the swarm (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "60s",
            description = "how long to run (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "10",
            description = "telemetry X times as often as the device model says (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        if (devices < 1 || devices > 19_000) {
            throw new CommandLine.ParameterException(cli, "--devices must be 1–19000 (one process holds at most 20,000 connections), was " + devices);
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
        // the demo is the swarm command on embedded defaults: hub + DPS in this process, methods called on the swarm
        SimCommand sim = new SimCommand();
        CommandLine simLine = new CommandLine(sim);
        simLine.setOut(out);
        simLine.setErr(cli.getErr());
        simLine.parseArgs("--pki", dir.toString(), "--devices", Integer.toString(devices), "--embedded-hub",
                "--method-rate", "20", "--rate-multiplier", Double.toString(rateMultiplier),
                "--duration", duration.toMillis() + "ms", "--summary", data.resolve("summary.json").toString());
        sim.run();
        out.println();
        out.println("Storage, streams and the REST API run with 'fleetkit serve' (see README); the dashboard, and this demo on the");
        out.println("whole backend, come with their issue.");
    }
}

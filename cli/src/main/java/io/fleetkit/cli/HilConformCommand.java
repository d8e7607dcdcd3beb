package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.conform.ConformanceRun;
import io.fleetkit.hil.conform.Report;
import io.fleetkit.hil.conform.Scenario;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code fleetkit hil conform}: the device and the firmware model through the same scenario, every difference reported. */
@Command(name = "conform", mixinStandardHelpOptions = true,
        description = {"Run a scenario against the device and the firmware model side by side; report every difference.",
                "Differences: missing or extra messages, message schemas, method status and payload, answer timing. Exit code 1 when "
                        + "there are any.",
                "Scenario lines: wait 2s | expect telemetry within 3s | invoke identify {\"durationSeconds\": 2} [ignore=/a,/b] | press"})
final class HilConformCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "the scenario file")
    Path scenarioFile;

    @ArgGroup(multiplicity = "1")
    HilPorts.BridgeEnd end;

    @Option(names = "--baud", paramLabel = "RATE", defaultValue = "115200", description = "serial baud rate, 8N1 (default: ${DEFAULT-VALUE})")
    int baud;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "thermostat",
            description = "the reference: device model or model file the device should behave like (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "1",
            description = "the reference's telemetry X times as often, to match a device in a fast test mode (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--tolerance", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "500ms",
            description = "how far apart answer times may be (default: ${DEFAULT-VALUE})")
    Duration tolerance;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        Scenario scenario = Scenario.load(scenarioFile);
        DeviceModel reference;
        try {
            reference = DeviceModels.resolve(model);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--model: " + e.getMessage());
        }
        if (rateMultiplier <= 0) {
            throw new CommandLine.ParameterException(cli, "--rate-multiplier must be positive, was " + rateMultiplier);
        }
        TcpServerPort referencePort = new TcpServerPort(0);
        Report report;
        // the reference signs presence with a key of its own: signatures are compared by shape, never by value
        try (ModelDevice ref = new ModelDevice(RegistrationId.of("reference"), throwAwayKey(), reference, referencePort,
                new MethodOverrides(), rateMultiplier).start()) {
            out.printf("running %s (%d steps) against %s and the %s firmware model%n", scenarioFile, scenario.steps().size(),
                    end.serial != null ? end.serial : end.tcp, reference.id());
            out.flush();
            report = ConformanceRun.run(scenario, end.port(cli, baud), new TcpClientPort("127.0.0.1", referencePort.port()),
                    new ConformanceRun.Options(tolerance, Duration.ofSeconds(15)));
        }
        out.print(report.text());
        if (json != null) {
            try {
                Files.writeString(json, report.json().toPrettyString() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
            }
            out.println("report written to " + json);
        }
        out.flush();
        return report.conforms() ? 0 : 1;
    }

    private static PrivateKey throwAwayKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPrivate();
    }
}

package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.hil.bridge.Bridge;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@code fleetkit hil}: the physical device on its test port, attached to the hub as an ordinary device. */
@Command(name = "hil", mixinStandardHelpOptions = true,
        subcommands = {HilDeviceCommand.class, HilReplayCommand.class, HilConformCommand.class},
        description = {"Attach the physical device to the hub through its test port (serial line or TCP).",
                "The bridge registers the device through DPS with its certificate, connects it to the hub, publishes what it sends, "
                        + "passes direct methods down and their answers back, and prints every event.",
                "Commands, typed or from --script: press (inject a button press), status, wait 5s, await online 30s, quit."})
final class HilCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // not required in picocli's sense: the subcommands (device, replay, conform) do without them; run() checks them
    @ArgGroup(multiplicity = "0..1")
    HilPorts.BridgeEnd end;

    @Option(names = "--baud", paramLabel = "RATE", defaultValue = "115200", description = "serial baud rate, 8N1 (default: ${DEFAULT-VALUE})")
    int baud;

    @Option(names = "--pki", paramLabel = "DIR", description = "the PKI holding DIR/devices/ID.pem|.key (the device's identity); required")
    Path pki;

    @Option(names = "--id", paramLabel = "ID", description = "the device's registration id; required")
    String id;

    @Mixin
    DpsTarget dps;

    @Option(names = "--record", paramLabel = "FILE", description = "record every frame, both ways, as JSON lines (replay with 'fleetkit hil replay')")
    Path record;

    @Option(names = "--script", paramLabel = "FILE", description = "read commands from FILE instead of the terminal")
    Path script;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        if (end == null || pki == null || id == null) {
            throw new CommandLine.ParameterException(cli, "the bridge needs --port PATH or --tcp HOST:PORT, --pki DIR and --id ID"
                    + " (or a subcommand: device, replay, conform)");
        }
        IdScope scope = dps.scope();
        dps.port(); // HOST:PORT checked
        RegistrationId registrationId;
        try {
            registrationId = RegistrationId.of(id);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--id: " + e.getMessage());
        }
        PkiDirectory dir = PkiDirectory.load(pki);
        DeviceIdentity identity = dir.loadDevice(registrationId);
        Bridge.Config config = new Bridge.Config(identity, dir.trustAnchors(), dps.target, scope, Duration.ofMinutes(2));
        FrameRecorder recorder = record == null ? null : new FrameRecorder(record, Clock.systemUTC());
        try (Bridge bridge = new Bridge(end.port(cli, baud), TestPortLink.Options.DEFAULT, config, new BridgePrinter(out), recorder).start()) {
            out.printf("bridge for %s on %s → %s%s; type 'help' for commands%n", id, end.serial != null ? end.serial : end.tcp, dps.target,
                    record == null ? "" : ", recording to " + record);
            out.flush();
            Scripts.run(script, line -> command(line, bridge, out));
            Bridge.Stats s = bridge.stats();
            out.printf("relayed %d messages (%d failed), %d method calls (%d answered), frames in %d / out %d, %d corrupt skipped, "
                            + "link opened %d times, %d dead%n", s.relayed(), s.relayFailures(), s.methodsCalled(), s.methodsAnswered(),
                    s.link().framesIn(), s.link().framesOut(), s.link().corrupt(), s.link().opened(), s.link().deadLinks());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read commands: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (recorder != null) {
                recorder.close();
            }
        }
    }

    private boolean command(String line, Bridge bridge, PrintWriter out) throws InterruptedException, IOException {
        String[] words = line.split("\\s+");
        switch (words[0]) {
            case "press" -> bridge.pressButton();
            case "status" -> {
                Bridge.Stats s = bridge.stats();
                out.printf("%s; relayed %d, methods %d/%d answered, corrupt frames %d%n", bridge.isOnline() ? "online" : "offline",
                        s.relayed(), s.methodsAnswered(), s.methodsCalled(), s.link().corrupt());
            }
            case "wait" -> TimeUnit.NANOSECONDS.sleep(Scripts.duration(words, 1).toNanos());
            case "await" -> {
                Scripts.awaitOnline(words, () -> bridge.isOnline(), () -> "offline");
                out.println("online");
            }
            case "quit", "exit" -> {
                return false;
            }
            case "help" -> out.println("press | status | wait 5s | await online 30s | quit");
            default -> out.println("unknown command '" + words[0] + "'; try: press, status, wait 5s, await online 30s, quit");
        }
        out.flush();
        return true;
    }
}

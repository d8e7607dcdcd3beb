package io.fleetkit.cli;

import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.hil.record.Recording;
import io.fleetkit.protocol.testport.TestPortMessage;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** {@code fleetkit hil replay}: a recording as a timeline, or played again as the device. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Print a recording made with 'fleetkit hil --record' as a timeline, or play it again as the device.",
                "With --port or --listen the device's frames are sent again, with their original spacing, to a bridge on the other "
                        + "end (the device is not needed)."})
final class HilReplayCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the recording (JSON lines)")
    Path file;

    @ArgGroup(multiplicity = "0..1")
    HilPorts.DeviceEnd end;

    @Option(names = "--baud", paramLabel = "RATE", defaultValue = "115200", description = "serial baud rate, 8N1 (default: ${DEFAULT-VALUE})")
    int baud;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1", description = "play X times as fast (default: ${DEFAULT-VALUE})")
    double speed;

    @Option(names = "--pings", description = "show the link's pings in the timeline too")
    boolean pings;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        if (speed <= 0) {
            throw new CommandLine.ParameterException(cli, "--speed must be positive, was " + speed);
        }
        Recording recording = Recording.read(file);
        if (recording.entries().isEmpty()) {
            out.println(file + ": an empty recording");
            return;
        }
        TestPortLink link = null;
        if (end != null) {
            Port port = end.port(cli, baud);
            link = new TestPortLink(port, TestPortLink.Options.PASSIVE, message -> { }).start();
            out.println("waiting for the bridge on " + port.describe());
            out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!link.isUp() && System.nanoTime() < deadline) {
                sleep(50);
            }
            if (!link.isUp()) {
                link.close();
                throw new IllegalStateException("no bridge connected within 60 s on " + port.describe());
            }
        }
        try {
            Instant first = recording.entries().get(0).time();
            long startNanos = System.nanoTime();
            int sent = 0;
            for (Recording.Entry e : recording.entries()) {
                long offsetNanos = (long) (Duration.between(first, e.time()).toNanos() / speed);
                if (link != null && e.from() == FrameRecorder.From.DEVICE) {
                    sleep(Math.max(0, (startNanos + offsetNanos - System.nanoTime()) / 1_000_000));
                }
                boolean ping = e.message().isPresent() && e.message().get() instanceof TestPortMessage.Ping;
                if (pings || !ping) {
                    out.printf("%+10.3f s  %-6s %s%n", Duration.between(first, e.time()).toNanos() / 1e9, e.from().name().toLowerCase(), describe(e));
                    out.flush();
                }
                if (link != null && e.from() == FrameRecorder.From.DEVICE && e.message().isPresent()
                        && !(e.message().get() instanceof TestPortMessage.Ping)) {
                    try {
                        link.send(e.message().get());
                        sent++;
                    } catch (IOException x) {
                        out.println("  (not sent: " + x.getMessage() + ")");
                    }
                }
            }
            out.printf("%d entries%s%n", recording.entries().size(), link == null ? "" : ", " + sent + " device frames played");
        } finally {
            if (link != null) {
                link.close();
            }
        }
    }

    private static String describe(Recording.Entry e) {
        if (e.frame().isEmpty()) {
            return "corrupt: " + e.problem().orElse("?");
        }
        if (e.message().isEmpty()) {
            return e.frame().get().type() + " that does not decode: " + e.problem().orElse("?");
        }
        return e.frame().get().type() + " " + e.message().get();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

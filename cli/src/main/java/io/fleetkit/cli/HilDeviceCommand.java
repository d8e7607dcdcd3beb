package io.fleetkit.cli;

import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code fleetkit hil device}: the firmware model playing the physical device on the device's end of a test port. */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Play the physical device with the firmware model, on the device's end of a test port.",
                "The device's end is the other side of a pseudo-terminal pair (socat pty,raw,echo=0,link=/tmp/ttyB "
                        + "pty,raw,echo=0,link=/tmp/ttyA) or a TCP port the bridge connects to. Try the bridge without hardware; "
                        + "the embedded team's reference for the device side. Ctrl-C stops it."})
final class HilDeviceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    HilPorts.DeviceEnd end;

    @Option(names = "--baud", paramLabel = "RATE", defaultValue = "115200", description = "serial baud rate, 8N1 (default: ${DEFAULT-VALUE})")
    int baud;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "1", description = "telemetry X times as often (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, description = "stop after this long (default: Ctrl-C)")
    Duration duration;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        DeviceModel deviceModel = deviceOptions.deviceModel();
        RegistrationId registrationId = deviceOptions.registrationId();
        if (rateMultiplier <= 0) {
            throw new CommandLine.ParameterException(cli, "--rate-multiplier must be positive, was " + rateMultiplier);
        }
        DeviceIdentity identity = PkiDirectory.load(deviceOptions.pki).loadDevice(registrationId);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "fleetkit-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (ModelDevice device = new ModelDevice(registrationId, identity.credential().key(), deviceModel, end.port(cli, baud),
                new MethodOverrides(), rateMultiplier).start()) {
            out.printf("device %s (%s, firmware model) on %s%n", registrationId, deviceModel.id(), device.link().describe());
            out.flush();
            long until = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            while (!stop.await(Math.min(5_000_000_000L, Math.max(1, until - System.nanoTime())), TimeUnit.NANOSECONDS)
                    && System.nanoTime() < until) {
                var s = device.link().stats();
                out.printf("state %s, link %s, messages sent %d, frames in %d / out %d, corrupt %d%n", device.device().state(),
                        device.link().isUp() ? "up" : "down", device.device().firmware().messagesSent(), s.framesIn(), s.framesOut(), s.corrupt());
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: on its way out
            }
        }
        out.println("stopped");
        out.flush();
    }
}

package io.fleetkit.cli;

import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.paho.PahoDevice;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** {@code fleetkit device}: one faithful device on Paho, driven from a prompt or a script. */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Run one device (the firmware model on Eclipse Paho) through DPS and the hub, printing what it does.",
                "Commands, typed or from --script: press (the button), reboot (power cycle), status, wait 5s, await online 30s, quit."})
final class DeviceCommand implements Runnable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOptions deviceOptions;

    @Mixin
    DpsTarget dps;

    @Option(names = "--script", paramLabel = "FILE", description = "read commands from FILE instead of the terminal")
    Path script;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        String host = dps.host();
        int port = dps.port();
        IdScope scope = dps.scope();
        DeviceModel deviceModel = deviceOptions.deviceModel();
        RegistrationId registrationId = deviceOptions.registrationId();
        PkiDirectory dir = PkiDirectory.load(deviceOptions.pki);
        DeviceIdentity identity = dir.loadDevice(registrationId);
        FirmwareConfig config = FirmwareConfig.of(registrationId, host, scope, deviceModel);
        Firmware firmware = new Firmware(config, new SimulatedHardware(deviceModel, identity.credential().key(), new SplittableRandom()),
                NonVolatileState.factory((int) deviceModel.telemetryInterval().toSeconds()), new MethodOverrides(), new SplittableRandom());
        try (PahoDevice device = new PahoDevice(firmware, TlsContexts.forDevice(identity, dir.trustAnchors()), Clock.systemUTC(), port, s -> { })) {
            device.setLog(line -> {
                out.println(LocalTime.now().format(TIME) + "  " + line);
                out.flush();
            });
            out.printf("device %s (%s) → %s; type 'help' for commands%n", registrationId, deviceModel.id(), dps.target);
            out.flush();
            device.boot();
            Scripts.run(script, line -> command(line, device, out));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read commands: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one command; false to stop. */
    private boolean command(String line, PahoDevice device, PrintWriter out) throws InterruptedException {
        String[] words = line.split("\\s+");
        switch (words[0]) {
            case "press" -> device.pressButton();
            case "reboot" -> device.powerCycle();
            case "status" -> out.printf("state %s, hub %s, sent %d, acknowledged %d, LED %s%n", device.state(),
                    device.flash().assignedHub().orElse("none"), device.firmware().messagesSent(), device.firmware().messagesAcknowledged(),
                    device.led() == null ? "off" : device.led().mode().wireName());
            case "wait" -> TimeUnit.NANOSECONDS.sleep(Scripts.duration(words, 1).toNanos()); // a scripted pause, as a tester would wait
            case "await" -> {
                Scripts.awaitOnline(words, () -> device.state() == LifecycleState.ONLINE, () -> "state " + device.state());
                out.println("online");
            }
            case "quit", "exit" -> {
                return false;
            }
            case "help" -> out.println("press | reboot | status | wait 5s | await online 30s | quit");
            default -> out.println("unknown command '" + words[0] + "'; try: press, reboot, status, wait 5s, await online 30s, quit");
        }
        out.flush();
        return true;
    }

}

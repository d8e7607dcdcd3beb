package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** One device as {@code fleetkit device} and {@code fleetkit hil device} take it: its PKI, registration id and model. */
final class DeviceOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pki", required = true, paramLabel = "DIR", description = "the PKI holding DIR/devices/ID.pem|.key (the device's identity)")
    Path pki;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "the device's registration id, e.g. dev-00001")
    String id;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "thermostat",
            description = "a built-in device model (thermostat, smart-plug) or a model file (default: ${DEFAULT-VALUE})")
    String model;

    RegistrationId registrationId() {
        try {
            return RegistrationId.of(id);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id: " + e.getMessage());
        }
    }

    DeviceModel deviceModel() {
        try {
            return DeviceModels.resolve(model);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
    }
}

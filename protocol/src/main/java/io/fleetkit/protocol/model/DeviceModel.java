package io.fleetkit.protocol.model;

import io.fleetkit.protocol.id.MethodName;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A device type, as described by a device model file: what it measures, how the simulation
 * produces the values, which methods it answers and its default telemetry interval. See
 * {@link DeviceModels} for reading files and for the built-in models.
 */
public record DeviceModel(String id, String name, String firmwareVersion, Duration telemetryInterval,
                          List<TelemetryField> telemetry, List<ModelMethod> methods) {
    public DeviceModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(firmwareVersion, "firmwareVersion");
        Objects.requireNonNull(telemetryInterval, "telemetryInterval");
        telemetry = List.copyOf(telemetry);
        methods = List.copyOf(methods);
        if (telemetryInterval.isNegative() || telemetryInterval.isZero()) {
            throw new IllegalArgumentException("telemetryIntervalSeconds: must be positive");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < telemetry.size(); i++) {
            if (!names.add(telemetry.get(i).name())) {
                throw new IllegalArgumentException("telemetry[" + i + "]: a second field named '" + telemetry.get(i).name() + "'");
            }
        }
        Set<MethodName> methodNames = new HashSet<>();
        for (int i = 0; i < methods.size(); i++) {
            if (!methodNames.add(methods.get(i).name())) {
                throw new IllegalArgumentException("methods[" + i + "]: '" + methods.get(i).name().value() + "' is listed twice");
            }
        }
    }

    public Optional<ModelMethod> method(MethodName name) {
        return methods.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}

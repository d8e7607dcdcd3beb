package io.fleetkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.firmware.swarm.SwarmFlash;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a swarm runs, as {@code fleetkit sim} takes it: the model, the ramp, the event loops, source addresses, failure
 * limits, method overrides and the seed. The field values are the defaults, so the demo (which offers none of these)
 * gets the same swarm from {@code new SwarmOptions()}.
 */
final class SwarmOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", description = "a built-in device model (thermostat, smart-plug) or a model file (default: ${DEFAULT-VALUE})")
    String model = "thermostat";

    @Option(names = "--ramp", paramLabel = "PER_SECOND", description = "devices started per second (default: ${DEFAULT-VALUE})")
    double ramp = 500;

    @Option(names = "--event-loops", paramLabel = "N", description = "Netty event loops (default: the number of cores)")
    Integer eventLoops;

    @Option(names = "--source-addresses", paramLabel = "N",
            description = "connect from 127.0.0.2 … 127.0.0.(N+1) in turn, past ~28,000 connections to one port (default: the system's choice)")
    int sourceAddresses;

    @Option(names = "--max-starting", paramLabel = "N",
            description = "at most N devices provisioning or connecting at once; the ramp waits (0 = no limit; default: ${DEFAULT-VALUE})")
    int maxStarting = 500;

    @Option(names = "--max-failures", paramLabel = "N", description = "consecutive failures before a device gives up (0 = never; default: ${DEFAULT-VALUE})")
    int maxFailures = 20;

    @Option(names = "--overrides", paramLabel = "FILE",
            description = "method overrides, JSON: {\"reboot\": {\"status\": 500, \"payload\": {…}, \"delayMs\": 2000, \"noAnswer\": false, \"errorRate\": 0.1}}")
    Path overridesFile;

    @Option(names = "--seed", paramLabel = "N", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    /** {@code --flash FILE} as read at the start: empty without the option; a malformed file is a usage error naming it. */
    static Map<DeviceId, NonVolatileState> flash(CommandLine cli, Path file) {
        try {
            return file == null ? Map.of() : SwarmFlash.read(file);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--flash: " + e.getMessage());
        }
    }

    /** The swarm's configuration against {@code host:port}, every option checked (a wrong one is a usage error naming it). */
    SwarmConfig config(String host, int port, IdScope scope, double rateMultiplier) {
        if (!(ramp > 0)) {
            throw usage("--ramp must be positive, was " + ramp);
        }
        if (sourceAddresses < 0 || sourceAddresses > 250) {
            throw usage("--source-addresses must be 0–250, was " + sourceAddresses);
        }
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < sourceAddresses; i++) {
            try {
                sources.add(InetAddress.getByName("127.0.0." + (i + 2)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return new SwarmConfig(deviceModel(), host, port, scope, ramp, rateMultiplier,
                eventLoops == null ? Runtime.getRuntime().availableProcessors() : eventLoops, sources, overrides(), maxFailures, seed, maxStarting);
    }

    DeviceModel deviceModel() {
        try {
            return DeviceModels.resolve(model);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw usage("--model: " + e.getMessage());
        }
    }

    private MethodOverrides overrides() {
        MethodOverrides o = new MethodOverrides();
        if (overridesFile == null) {
            return o;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(overridesFile));
        } catch (IOException e) {
            throw usage("--overrides: cannot read " + overridesFile + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw usage("--overrides: " + overridesFile + " must hold a JSON object of method name → override");
        }
        root.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            try {
                o.set(MethodName.of(e.getKey()), new MethodOverride(
                        v.has("status") ? OptionalInt.of(v.get("status").asInt()) : OptionalInt.empty(),
                        v.has("payload") ? Optional.of(v.get("payload").toString()) : Optional.empty(),
                        Duration.ofMillis(v.path("delayMs").asLong(0)), v.path("noAnswer").asBoolean(false), v.path("errorRate").asDouble(0)));
            } catch (IllegalArgumentException | ProtocolException bad) {
                throw usage("--overrides: " + overridesFile + " at '" + e.getKey() + "': " + bad.getMessage());
            }
        });
        return o;
    }

    private RuntimeException usage(String message) {
        // built with new SwarmOptions() (the demo): no command line to name
        return spec == null ? new IllegalArgumentException(message) : new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

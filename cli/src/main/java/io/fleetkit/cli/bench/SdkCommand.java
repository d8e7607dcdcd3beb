package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.SdkScenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.List;

/** {@code fleetkit bench sdk}: the options of {@link SdkScenario}, which runs it. */
@Command(name = "sdk", mixinStandardHelpOptions = true,
        description = {"The Azure IoT device SDK, one DeviceClient per device, versus the fleetkit swarm, for the same N devices",
                "on the hub (port 8883, which the SDK dials): devices per GiB of heap, threads, time to all connected."})
final class SdkCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "500", description = "devices per simulator (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--sdk-parallel", paramLabel = "N", defaultValue = "16",
            description = "SDK clients opening at once (default: ${DEFAULT-VALUE})")
    int sdkParallel;

    @Option(names = "--simulators", paramLabel = "LIST", split = ",", defaultValue = "azure-sdk,fleetkit-swarm",
            description = "which to run: azure-sdk, fleetkit-swarm (default: ${DEFAULT-VALUE}; the swarm alone goes to 19000 devices)")
    List<String> simulatorNames;

    @Override
    public void run() {
        common.run(spec, load -> new SdkScenario(load, devices, sdkParallel, simulatorNames).run());
    }
}

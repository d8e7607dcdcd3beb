package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.ProvisionScenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.List;

/** {@code fleetkit bench provision}: the options of {@link ProvisionScenario}, which runs it. */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"DPS registrations: N devices register and connect, unthrottled and under an Azure-like throttle profile;",
                "registrations/s, time to all registered and online, 429s absorbed."})
final class ProvisionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices that register (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--profiles", paramLabel = "LIST", split = ",", defaultValue = "off,s1",
            description = "throttle profiles to run, as in 'fleetkit serve --throttle' (default: ${DEFAULT-VALUE})")
    List<String> profiles;

    @Option(names = "--max-starting", paramLabel = "N", defaultValue = "500",
            description = "devices provisioning or connecting at once, as in 'fleetkit sim' (default: ${DEFAULT-VALUE})")
    int maxStarting;

    @Override
    public void run() {
        common.run(spec, load -> new ProvisionScenario(load, devices, profiles, maxStarting).run());
    }
}

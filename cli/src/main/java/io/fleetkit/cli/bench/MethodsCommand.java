package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.MethodsScenario;
import io.fleetkit.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.time.Duration;

/** {@code fleetkit bench methods}: the options of {@link MethodsScenario}, which runs it. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = {"Direct methods across many devices: round trips/s and latency (p50/p99/p99.9), called in the hub's process",
                "on random online devices of a firmware swarm."})
final class MethodsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices online (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "1000", description = "calls per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "each run (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "getDiagnostics",
            description = "the method called; the thermostat firmware answers it (default: ${DEFAULT-VALUE})")
    String method;

    @Override
    public void run() {
        common.run(spec, load -> new MethodsScenario(load, devices, rate, duration, method).run());
    }
}

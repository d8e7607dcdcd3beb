package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.ClusterScenario;
import io.fleetkit.cli.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code fleetkit bench cluster}: the options of {@link ClusterScenario}, which runs it. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"One logical hub on several hub-node processes (one port, SO_REUSEPORT) and a backend process, on Kafka and",
                "PostgreSQL (--kafka-bootstrap, --database-url; './fleetkit kafka' starts a broker): N TLS devices from swarm",
                "processes on 127.0.0.2 …; time to all online, heap and resident memory per device per node, direct-method round",
                "trips against one process's, then one node SIGKILLed (and started again when the others cannot hold every device):",
                "seconds until all are online again, acknowledged messages lost.",
                "Exit status 1 when any acknowledged message was lost or any device gave up."})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "hub nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "20000",
            description = "devices, each with its own certificate (default: ${DEFAULT-VALUE}; at most 19,000 per node)")
    int devices;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "1",
            description = "telemetry this many times as often as the thermostat's minute (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--method-rate", paramLabel = "PER_SECOND", defaultValue = "200", description = "method calls per second (default: ${DEFAULT-VALUE})")
    int methodRate;

    @Option(names = "--method-duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "each methods run (default: ${DEFAULT-VALUE})")
    Duration methodDuration;

    @Option(names = "--baseline-devices", paramLabel = "N", defaultValue = "2000",
            description = "devices of the one-process baseline (default: ${DEFAULT-VALUE})")
    int baselineDevices;

    @Override
    public void run() {
        common.run(spec, load -> new ClusterScenario(load, nodes, devices, rateMultiplier, methodRate, methodDuration, baselineDevices).run());
    }
}

package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.TelemetryScenario;
import io.fleetkit.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;

/** {@code fleetkit bench telemetry}: the options of {@link TelemetryScenario}, which runs it. */
@Command(name = "telemetry", mixinStandardHelpOptions = true,
        description = {"QoS 1 telemetry over TLS: messages/s acknowledged per system (closed loop), stored rows/s for the hub + backend",
                "systems, and publish → handler latency (p50/p99/p99.9) at half the stored rate."})
final class TelemetryCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices per system (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--window", paramLabel = "W", defaultValue = "8",
            description = "QoS 1 messages each device keeps unacknowledged (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "each measured run (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--latency-duration", paramLabel = "TIME", defaultValue = "15s", converter = DurationConverter.class,
            description = "the latency phase at half the hub's rate; 0 leaves it out (default: ${DEFAULT-VALUE})")
    Duration latencyDuration;

    @Option(names = "--latency-rate", paramLabel = "PER_SECOND",
            description = "messages/s in the latency phase (default: half the hub + backend's median stored rows/s, "
                    + "its maximum end to end; half the hub's acknowledged rate without fleetkit-pipeline; fleetkit-kafka at half its own"
                    + " stored rows/s)")
    Double latencyRate;

    @Option(names = "--systems", paramLabel = "LIST", split = ",", defaultValue = "fleetkit,fleetkit-pipeline,hivemq,mosquitto",
            description = "what to compare, in this order: fleetkit (the hub's ingest on the file log), fleetkit-pipeline (hub + backend,"
                    + " file log + H2), fleetkit-kafka (hub + backend on Kafka + PostgreSQL: --kafka-bootstrap, --database-url), hivemq,"
                    + " mosquitto (default: ${DEFAULT-VALUE})")
    List<String> systemNames;

    @Override
    public void run() {
        common.run(spec, load -> new TelemetryScenario(load, devices, window, duration, latencyDuration, latencyRate, systemNames).run());
    }
}

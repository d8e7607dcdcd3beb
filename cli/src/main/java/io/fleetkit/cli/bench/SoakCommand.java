package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.SoakScenario;
import io.fleetkit.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;

/** {@code fleetkit bench soak}: the options of {@link SoakScenario}, which runs it. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Hours-long load on the hub + backend (own process) from a swarm (this process): per interval the server's heap",
                "after GC, resident memory, threads, descriptors, store backlog, rows/s and PUBACK p99; fails on a growing memory",
                "trend, a device that gave up, or stored rows ≠ acknowledged telemetry. Results: WORK/results/soak-DATE.{json,md,png}."})
final class SoakCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "10000", description = "thermostats in the swarm (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "10",
            description = "telemetry X times as often as the thermostat model's 60 s (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30m", converter = DurationConverter.class,
            description = "how long the load runs once every device is online (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--sample-every", paramLabel = "TIME", defaultValue = "1m", converter = DurationConverter.class,
            description = "time between samples (default: ${DEFAULT-VALUE})")
    Duration sampleEvery;

    @Option(names = "--warm-up", paramLabel = "TIME", converter = DurationConverter.class,
            description = "samples left out of the trends while the JIT, caches and pools fill (default: a quarter of the duration, at most 5m)")
    Duration warmUp;

    @Option(names = "--heap-growth-limit", paramLabel = "MB_PER_MIN", defaultValue = "1",
            description = "the most the fitted heap-after-GC trend may grow, MB per minute (default: ${DEFAULT-VALUE})")
    double heapGrowthLimit;

    @Option(names = "--resident-growth-limit", paramLabel = "MB_PER_MIN", defaultValue = "2",
            description = "the most the fitted resident-memory trend may grow, MB per minute (default: ${DEFAULT-VALUE})")
    double residentGrowthLimit;

    @Option(names = "--max-starting", paramLabel = "N", defaultValue = "500",
            description = "devices provisioning or connecting at once (default: ${DEFAULT-VALUE})")
    int maxStarting;

    @Option(names = "--replot", paramLabel = "RESULT.json",
            description = "run nothing: draw the plot of an earlier soak's result again, beside it (RESULT.png)")
    Path replot;

    @Override
    public void run() {
        common.run(spec, load -> new SoakScenario(load, devices, rateMultiplier, duration, sampleEvery, warmUp, heapGrowthLimit, residentGrowthLimit, maxStarting, replot).run());
    }
}

package io.fleetkit.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code fleetkit bench}: whole-system load runs. The scenarios and their harness live in the benchmarks module
 * ({@code io.fleetkit.bench.load}); these commands only read their options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Whole-system load runs against the fleetkit hub and its peers (HiveMQ CE, Mosquitto, the Azure SDK).",
                "Each system runs in its own process, started and stopped by the run; figures are medians of the measured runs",
                "after one discarded warm-up run, with generator and server CPU beside them. Results: WORK/results/*.json and *.md."},
        subcommands = {ConnectCommand.class, TelemetryCommand.class, ProvisionCommand.class, MethodsCommand.class, SdkCommand.class,
                SoakCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

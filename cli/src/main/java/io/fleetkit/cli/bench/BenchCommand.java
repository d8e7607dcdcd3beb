package io.fleetkit.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code fleetkit bench}: whole-system load runs. Each scenario starts the systems it compares in
 * their own processes, drives them with the swarm's Netty transport from this process, discards one
 * warm-up run per system and reports the median of the measured runs, with the CPU the generator
 * and each server used beside every figure. Results go to {@code WORK/results} as JSON and Markdown.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Whole-system load runs against the fleetkit hub and its peers (HiveMQ CE, Mosquitto, the Azure SDK).",
                "Each system runs in its own process, started and stopped by the run; figures are medians of the measured runs",
                "after one discarded warm-up run, with generator and server CPU beside them. Results: WORK/results/*.json and *.md."},
        subcommands = {ConnectBench.class, TelemetryBench.class, ProvisionBench.class, MethodsBench.class, SdkBench.class, SoakBench.class,
                CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The options every scenario takes. */
    static final class Common {
        @Option(names = "--work", paramLabel = "DIR", defaultValue = "fleetkit-bench",
                description = "the bench's PKI, scratch directories, server logs and results (default: ${DEFAULT-VALUE})")
        Path work;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
                description = "measured runs per system, after one discarded warm-up run (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
                description = "the load generator's event loops (default: ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--jfr", description = "record a JFR profile of each JVM server (settings=profile) into WORK/profiles/")
        boolean jfr;

        @Option(names = "--server-jvm-options", paramLabel = "OPTIONS",
                description = "extra options for every JVM server, space-separated, e.g. \"-XX:+UseZGC\" (default: none; all get -Xmx4g)")
        String serverJvmOptions;

        BenchWorkspace workspace(java.io.PrintWriter progress) {
            List<String> extra = serverJvmOptions == null || serverJvmOptions.isBlank() ? List.of()
                    : List.of(serverJvmOptions.trim().split("\\s+"));
            return new BenchWorkspace(work, progress, jfr, extra);
        }

        void check(CommandLine cli) {
            if (runs < 1 || runs > 20) {
                throw new CommandLine.ParameterException(cli, "--runs must be 1–20, was " + runs);
            }
            if (threads < 1 || threads > 64) {
                throw new CommandLine.ParameterException(cli, "--threads must be 1–64, was " + threads);
            }
        }
    }

    /** Parses a --systems list, keeping its order, refusing unknown names and repeats. */
    static List<BenchSystem> systems(CommandLine cli, List<String> names) {
        Set<BenchSystem> out = new LinkedHashSet<>();
        for (String n : names) {
            try {
                if (!out.add(BenchSystem.parse(n))) {
                    throw new CommandLine.ParameterException(cli, "--systems names '" + n + "' twice");
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, "--systems: " + e.getMessage());
            }
        }
        return new ArrayList<>(out);
    }

    static void checkRange(CommandLine cli, String option, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(cli, option + " must be " + min + "–" + max + why + ", was " + value);
        }
    }

    /** This process's used heap after a full GC, in bytes. */
    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static double ownCpuSeconds() {
        return ServerProcess.cpuSecondsOf(ProcessHandle.current().pid());
    }

    /** The command line as typed, for the report. */
    static String commandLine(CommandLine cli) {
        CommandLine root = cli;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return "fleetkit " + String.join(" ", root.getParseResult().originalArgs());
    }
}

package io.fleetkit.bench.load;

import io.fleetkit.protocol.FleetkitException;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What every load-run scenario shares: the work directory (its PKI, scratch directories, server logs and results), the
 * measured runs per system (after one discarded warm-up run), the generator's event loops, JFR profiles and extra JVM
 * options for the servers, the broker and database of {@code fleetkit-kafka}, the command line to name in the report, and where the report ({@code out}) and the progress
 * ({@code progress}) go. A setting out of range is a {@link FleetkitException} of kind {@code INVALID_INPUT} whose message
 * names it as {@code fleetkit bench} spells it, so the command line can say which flag to fix.
 */
public record LoadRun(Path work, int runs, int threads, boolean jfr, List<String> serverJvmOptions, String commandLine,
                      PrintWriter out, PrintWriter progress, ProductionEngines engines) {
    public LoadRun {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(engines, "engines");
        serverJvmOptions = List.copyOf(serverJvmOptions);
        Objects.requireNonNull(commandLine, "commandLine");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(progress, "progress");
        checkRange("--runs", runs, 1, 20, "");
        checkRange("--threads", threads, 1, 64, "");
    }

    /** With the local broker and database for {@code fleetkit-kafka}. */
    public LoadRun(Path work, int runs, int threads, boolean jfr, List<String> serverJvmOptions, String commandLine, PrintWriter out,
                   PrintWriter progress) {
        this(work, runs, threads, jfr, serverJvmOptions, commandLine, out, progress, ProductionEngines.LOCAL);
    }

    /** The workspace under {@link #work}: made on first use, so a refused setting leaves nothing behind. */
    BenchWorkspace workspace() {
        return new BenchWorkspace(work, progress, jfr, serverJvmOptions, engines);
    }

    /** A setting the run refuses, named as the command line spells it. */
    static FleetkitException invalid(String message) {
        return new FleetkitException(FleetkitException.Kind.INVALID_INPUT, message);
    }

    static void checkRange(String option, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw invalid(option + " must be " + min + "–" + max + why + ", was " + value);
        }
    }

    /** A {@code --systems} list, in its order; unknown names and repeats refused. */
    static List<BenchSystem> systems(List<String> names) {
        Set<BenchSystem> out = new LinkedHashSet<>();
        for (String n : names) {
            BenchSystem s;
            try {
                s = BenchSystem.parse(n);
            } catch (IllegalArgumentException e) {
                throw invalid("--systems: " + e.getMessage());
            }
            if (!out.add(s)) {
                throw invalid("--systems names '" + n + "' twice");
            }
        }
        return new ArrayList<>(out);
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
}

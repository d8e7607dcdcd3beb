package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.LoadRun;
import io.fleetkit.bench.load.ProductionEngines;
import io.fleetkit.protocol.FleetkitException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** The options every {@code fleetkit bench} scenario takes, and how a scenario runs from the command line. */
final class BenchOptions {
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

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "the broker of the fleetkit-kafka system (topics of its own, deleted afterwards; './fleetkit kafka' starts"
                    + " one) (default: ${DEFAULT-VALUE})")
    String kafkaBootstrap;

    @Option(names = "--database-url", paramLabel = "JDBC-URL", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres",
            description = "the PostgreSQL database of the fleetkit-kafka system (a schema of its own, dropped afterwards; the password"
                    + " from FLEETKIT_DATABASE_PASSWORD) (default: ${DEFAULT-VALUE})")
    String databaseUrl;

    @Option(names = "--database-user", paramLabel = "USER", defaultValue = "postgres", description = "its user (default: ${DEFAULT-VALUE})")
    String databaseUser;

    /** Runs a scenario with these options; a setting it refuses is a usage error naming the flag (exit status 2). */
    void run(CommandLine.Model.CommandSpec spec, Consumer<LoadRun> scenario) {
        CommandLine cli = spec.commandLine();
        List<String> extra = serverJvmOptions == null || serverJvmOptions.isBlank() ? List.of() : List.of(serverJvmOptions.trim().split("\\s+"));
        try {
            scenario.accept(new LoadRun(work, runs, threads, jfr, extra, commandLine(cli), cli.getOut(), cli.getErr(),
                    new ProductionEngines(kafkaBootstrap, databaseUrl, databaseUser)));
        } catch (FleetkitException e) {
            if (e.isClientFault()) {
                throw new CommandLine.ParameterException(cli, e.getMessage());
            }
            throw e;
        }
    }

    /** The command line as typed, for the report. */
    private static String commandLine(CommandLine cli) {
        CommandLine root = cli;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return "fleetkit " + String.join(" ", root.getParseResult().originalArgs());
    }
}

package io.fleetkit.cli;

import io.fleetkit.cli.bench.BenchCommand;
import io.fleetkit.protocol.FleetkitException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code fleetkit} command. Every failure reaches the user as one line naming what went
 * wrong and what to do; stack traces only with {@code FLEETKIT_DEBUG=1}.
 */
@Command(name = "fleetkit",
        mixinStandardHelpOptions = true,
        versionProvider = FleetkitCommand.Version.class,
        description = "Build and test an Azure-IoT-style device fleet before the fleet exists.",
        footer = {"", "The tests: ./fleetkit test installs what they need on Debian, starts PostgreSQL and runs mvn -B verify "
                + "(arguments go to Maven)."},
        subcommands = {PkiCommand.class, ServeCommand.class, TokenCommand.class, SimCommand.class, DeviceCommand.class, HilCommand.class, DemoCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class FleetkitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with the given streams; returns the exit code: 0 ok; 2 a usage error or input the user can fix
     * (a flag, a file, a value: picocli's parameter errors and any client-fault {@link FleetkitException}); 1 anything else
     * that failed. The one place the CLI translates failures.
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new FleetkitCommand());
        reflowDescriptions(cli);
        cli.setUsageHelpAutoWidth(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(e));
            if (System.getenv("FLEETKIT_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return e instanceof FleetkitException f && f.isClientFault() ? 2 : 1;
        });
        return cli.execute(args);
    }

    /**
     * The commands' descriptions are written as lines of source width; joined into paragraphs here so picocli wraps them to
     * the terminal instead of breaking each source line again at 80 columns. A line that starts with a space (a listing)
     * stays a line of its own.
     */
    static void reflowDescriptions(CommandLine cli) {
        CommandLine.Model.UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
        List<String> paragraphs = new ArrayList<>();
        for (String line : usage.description()) {
            int last = paragraphs.size() - 1;
            if (last >= 0 && !line.isEmpty() && !line.startsWith(" ") && !paragraphs.get(last).isEmpty() && !paragraphs.get(last).startsWith(" ")) {
                paragraphs.set(last, paragraphs.get(last) + " " + line);
            } else {
                paragraphs.add(line);
            }
        }
        usage.description(paragraphs.toArray(String[]::new));
        cli.getSubcommands().values().forEach(FleetkitCommand::reflowDescriptions);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FleetkitCommand.class.getPackage().getImplementationVersion();
            return new String[]{"fleetkit " + (v == null ? "development build" : v)};
        }
    }
}

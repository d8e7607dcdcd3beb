package io.fleetkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.firmware.swarm.SwarmReport;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A swarm run's JSON summary: printed, written to a file, and combined from the processes that ran together. */
final class SwarmSummaries {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwarmSummaries() {
    }

    /** Prints the summary, writes it to {@code file} when given, and fails with exit status 1 when any device gave up. */
    static void report(ObjectNode summary, Path file, PrintWriter out) {
        try {
            out.print(SwarmReport.text(summary));
            if (file != null) {
                Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
                out.println("summary written to " + file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            out.flush();
        }
        int gaveUp = summary.get("gaveUp").asInt();
        if (gaveUp > 0) {
            throw new GaveUp(gaveUp + " device(s) gave up; see the failures above");
        }
    }

    /** {@code fleetkit sim --combine a,b,c}: the summaries of swarm processes that ran together, as one. */
    static ObjectNode combine(CommandLine cli, List<Path> files) {
        List<ObjectNode> parts = new ArrayList<>();
        for (Path p : files) {
            try {
                JsonNode n = JSON.readTree(Files.readAllBytes(p));
                if (!(n instanceof ObjectNode o)) {
                    throw new CommandLine.ParameterException(cli, "--combine: " + p + " is not a summary (expected a JSON object)");
                }
                parts.add(o);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cli, "--combine: cannot read " + p + ": " + e.getMessage());
            }
        }
        try {
            return SwarmReport.combine(parts);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--combine: " + e.getMessage());
        }
    }

    /** A run in which devices gave up: exit status 1, the summary already printed. */
    static final class GaveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GaveUp(String message) {
            super(message);
        }
    }
}

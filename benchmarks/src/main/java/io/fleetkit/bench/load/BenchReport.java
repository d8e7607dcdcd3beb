package io.fleetkit.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One load run's result, as JSON (every run's figures) and as Markdown (the medians, ratios and
 * what was measured how), both written under the workspace's {@code results/} with the command
 * line, the date and the machine.
 */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String scenario;
    private final ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
    private final ObjectNode json = JsonNodeFactory.instance.objectNode();
    private final StringBuilder markdown = new StringBuilder();

    BenchReport(String scenario, String title, String command) {
        this.scenario = scenario;
        json.put("scenario", scenario).put("date", date.toString()).put("command", command);
        ObjectNode machine = json.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors()).put("cpu", cpuModel())
                .put("memoryGiB", Math.round(totalMemoryBytes() / (1024.0 * 1024 * 1024)))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        markdown.append("## ").append(title).append("\n\n")
                .append("`").append(command).append("` — ").append(date.toLocalDate()).append(", ")
                .append(machine.get("cores").asInt()).append(" cores (").append(machine.get("cpu").asText()).append("), ")
                .append(machine.get("memoryGiB").asLong()).append(" GiB, ").append(machine.get("java").asText()).append("\n\n");
    }

    ObjectNode json() {
        return json;
    }

    void paragraph(String text) {
        markdown.append(text).append("\n\n");
    }

    void table(List<String> header, List<List<String>> rows) {
        markdown.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> markdown.append("---|"));
        markdown.append('\n');
        for (List<String> row : rows) {
            markdown.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        markdown.append('\n');
    }

    String markdown() {
        return markdown.toString();
    }

    /** Prints the Markdown and writes both files into {@code dir}. */
    void publish(PrintWriter out, Path dir) {
        Path md = write(dir);
        out.print(markdown);
        out.printf("written: %s (and .json)%n", md);
        out.flush();
    }

    /** {@code <scenario>-<date>}: the name of the files this report writes (and of any picture beside them). */
    String stem() {
        return scenario + "-" + date.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    /** Writes {@code <scenario>-<date>.json} and {@code .md} into {@code dir}; returns the Markdown file. */
    Path write(Path dir) {
        String stem = stem();
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve(stem + ".json").toFile(), json);
            Path md = dir.resolve(stem + ".md");
            Files.writeString(md, markdown);
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The measured runs (the warm-up left out) of each thing compared — a system, a simulator, a throttle
     * profile — metric by metric, and their medians.
     */
    static final class Runs {
        private record Series(String label, List<Map<String, Double>> runs) {
        }

        private final Map<String, Series> byId = new LinkedHashMap<>();

        void add(BenchSystem system, Map<String, Double> run) {
            add(system.id(), system.label(), run);
        }

        void add(String id, String label, Map<String, Double> run) {
            byId.computeIfAbsent(id, k -> new Series(label, new ArrayList<>())).runs().add(run);
        }

        double median(BenchSystem system, String metric) {
            return median(system.id(), metric);
        }

        double median(String id, String metric) {
            double[] v = runsOf(id).stream().filter(r -> r.containsKey(metric)).mapToDouble(r -> r.get(metric)).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        String each(BenchSystem system, String metric, String format) {
            return each(system.id(), metric, format);
        }

        /** "a / b / c": every run's value, for the Markdown. */
        String each(String id, String metric, String format) {
            return String.join(" / ", runsOf(id).stream()
                    .map(r -> String.format(Locale.ROOT, format, r.getOrDefault(metric, Double.NaN))).toList());
        }

        private List<Map<String, Double>> runsOf(String id) {
            Series s = byId.get(id);
            return s == null ? List.of() : s.runs();
        }

        /** Writes {@code "<key>": {id: {label, runs: […], median: {…}}, …}} into {@code json}. */
        void writeTo(ObjectNode json, String key, List<String> metrics) {
            ObjectNode all = json.putObject(key);
            byId.forEach((id, series) -> {
                ObjectNode s = all.putObject(id);
                s.put("label", series.label());
                ArrayNode each = s.putArray("runs");
                series.runs().forEach(r -> {
                    ObjectNode o = each.addObject();
                    r.forEach(o::put);
                });
                ObjectNode median = s.putObject("median");
                metrics.forEach(m -> median.put(m, median(id, m)));
            });
        }
    }

    static String fmt(String format, double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static long totalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    static List<String> row(String... cells) {
        return Arrays.asList(cells);
    }
}

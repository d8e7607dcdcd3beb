package io.fleetkit.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/** The report of {@code bench cluster}: its figures as JSON, and as the Markdown table BENCHMARKS.md quotes. */
final class ClusterReport {
    private ClusterReport() {
    }

    /** The run whose p99 is the median of the runs (its other figures with it). */
    static ClusterScenario.Methods median(List<ClusterScenario.Methods> runs) {
        List<ClusterScenario.Methods> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(ClusterScenario.Methods::p99Ms));
        return sorted.get(sorted.size() / 2);
    }

    private static double medianOf(List<ClusterScenario.Methods> runs, ToDoubleFunction<ClusterScenario.Methods> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    @SuppressWarnings("unchecked")
    static BenchReport of(LoadRun load, int nodes, int devices, double rateMultiplier, int methodRate, Duration methodDuration,
                          int baselineDevices, Map<String, Object> r) {
        BenchReport report = new BenchReport("cluster", "Hub cluster", load.commandLine());
        report.json().putObject("parameters").put("nodes", nodes).put("devices", devices).put("rateMultiplier", rateMultiplier)
                .put("methodRate", methodRate).put("methodSeconds", methodDuration.toSeconds()).put("baselineDevices", baselineDevices)
                .put("runs", load.runs());
        ClusterScenario.Online online = (ClusterScenario.Online) r.get("online");
        ClusterScenario.Online recovered = (ClusterScenario.Online) r.get("recovered");
        ClusterScenario.Ending ending = (ClusterScenario.Ending) r.get("ending");
        ClusterScenario.Methods baseline = (ClusterScenario.Methods) r.get("baseline");
        List<ClusterScenario.Methods> methods = (List<ClusterScenario.Methods>) r.get("methods");
        List<ClusterScenario.NodeMemory> memory = (List<ClusterScenario.NodeMemory>) r.get("memory");
        double[] topic = (double[]) r.get("commandTopic");
        double[] hop = (double[]) r.get("nodeHop");
        int victim = (Integer) r.get("victim");
        boolean restarted = (Boolean) r.get("restarted");
        ObjectNode j = report.json();
        j.putObject("online").put("seconds", online.seconds()).put("devices", online.online()).put("gaveUp", online.gaveUp());
        var nodesJson = j.putArray("nodes");
        memory.forEach(m -> nodesJson.addObject().put("node", m.node()).put("connected", m.connected()).put("heapAfterGcBytes", m.heapAfterGc())
                .put("residentBytes", m.resident()));
        var methodsJson = j.putArray("methods");
        methods.forEach(m -> methodsJson.addObject().put("calls", m.calls()).put("ok", m.ok()).put("p50Ms", m.p50Ms()).put("p99Ms", m.p99Ms())
                .put("p999Ms", m.p999Ms()));
        j.putObject("baseline").put("calls", baseline.calls()).put("ok", baseline.ok()).put("p50Ms", baseline.p50Ms())
                .put("p99Ms", baseline.p99Ms()).put("p999Ms", baseline.p999Ms());
        j.putObject("commandTopic").put("p50Ms", topic[0]).put("p99Ms", topic[1]);
        j.putObject("nodeHop").put("p50Ms", hop[0]).put("p99Ms", hop[1]);
        j.putObject("kill").put("devicesOnKilledNode", victim).put("restarted", restarted).put("secondsUntilAllOnline", recovered.seconds())
                .put("gaveUp", recovered.gaveUp());
        j.putObject("ending").put("telemetryAcknowledged", ending.telemetryAcknowledged()).put("rows", ending.rows())
                .put("unacknowledged", ending.unacknowledged()).put("lost", ending.lost());

        report.paragraph(devices + " thermostats (each its own certificate, TLS with client authentication) in "
                + Math.max(3, (devices + ClusterScenario.PER_SWARM - 1) / ClusterScenario.PER_SWARM) + " swarm processes from 127.0.0.2 …,"
                + " connecting to " + nodes + " hub nodes that share one port with SO_REUSEPORT; a backend process (processors, command"
                + " port) on node 0; streams on Kafka, shared state in PostgreSQL; telemetry every " + fmt("%.0f", 60 / rateMultiplier)
                + " s per device. Methods: `getDiagnostics` on random devices at " + methodRate + "/s for " + methodDuration.toSeconds()
                + " s, called through the backend process's command port (what the REST API calls): a device on another process costs"
                + " a lookup in the device → node map and one HTTPS round trip to its node. Baseline: one process (hub and backend),"
                + " " + baselineDevices + " devices, the same calls in the hub's process (`bench methods`). Median of " + load.runs()
                + " runs after a warm-up (at least 30 s). The two transports for a command, each measured idle, before the devices"
                + " connect, one request at a time: the hop the cluster makes (an HTTPS request to a node's command endpoint and its"
                + " answer) and a command topic's (a record to a request topic and its answer on a second one, `acks=all`, read by"
                + " polling consumers) — two appends (each to every replica) per command, and every node reading every partition since the kernel, not the"
                + " device id, decides where a device connects. Node 1 is then killed with SIGKILL"
                + (restarted ? " and started again at once (the " + (nodes - 1) + " others cannot hold " + devices + " devices: "
                + ClusterScenario.PER_NODE + " descriptors a process here), as a supervisor would restart it" : "")
                + "; the time is from the kill until every device is online again.");
        report.table(row("devices", "nodes", "all online", "methods p50 / p99 ms (cluster)", "one process p50 / p99 ms",
                        "hop to a node p50 / p99 ms", "command topic p50 / p99 ms", "node 1 SIGKILLed: all online again", "acknowledged lost",
                        "gave up"),
                List.of(row(Integer.toString(devices), Integer.toString(nodes), fmt("%.1f s", online.seconds()),
                        fmt("%.2f", medianOf(methods, ClusterScenario.Methods::p50Ms)) + " / " + fmt("%.2f", medianOf(methods, ClusterScenario.Methods::p99Ms)),
                        fmt("%.2f", baseline.p50Ms()) + " / " + fmt("%.2f", baseline.p99Ms()),
                        fmt("%.2f", hop[0]) + " / " + fmt("%.2f", hop[1]),
                        fmt("%.2f", topic[0]) + " / " + fmt("%.2f", topic[1]),
                        fmt("%.1f s", recovered.seconds()) + " (" + victim + " devices" + (restarted ? "; node 1 started again" : "") + ")",
                        Long.toString(ending.lost())
                                + " of " + ending.telemetryAcknowledged(), Integer.toString(recovered.gaveUp()))));
        List<List<String>> rows = new ArrayList<>();
        for (ClusterScenario.NodeMemory m : memory) {
            rows.add(row("node " + m.node(), Integer.toString(m.connected()), fmt("%.0f", m.heapAfterGc() / 1048576.0),
                    fmt("%.1f", m.connected() == 0 ? 0 : m.heapAfterGc() / 1024.0 / m.connected()), fmt("%.0f", m.resident() / 1048576.0),
                    fmt("%.1f", m.connected() == 0 ? 0 : m.resident() / 1024.0 / m.connected())));
        }
        report.table(row("hub node", "devices", "heap after GC MB", "heap KB/device", "resident MB", "resident KB/device"), rows);
        return report;
    }
}

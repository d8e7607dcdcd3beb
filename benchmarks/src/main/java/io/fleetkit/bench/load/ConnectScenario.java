package io.fleetkit.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.pki.DeviceIdentity;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench connect}: N devices, each with its own certificate, open MQTT/TLS connections
 * with at most W handshakes in flight, and stay idle. Per system and run (a fresh server process
 * each time): connections accepted per second, time to all connected, and memory per idle
 * connection on both sides — heap after GC for the JVMs, resident memory for every server.
 */
public final class ConnectScenario {

    private final LoadRun load;

    private final int devices;

    private final int window;

    private final List<String> systemNames;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public ConnectScenario(LoadRun load, int devices, int window, List<String> systemNames) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.window = window;
        this.systemNames = systemNames;
    }

    static final List<String> METRICS = List.of("connectsPerSecond", "secondsToAll", "failed", "serverHeapKBPerConnection",
            "generatorHeapKBPerConnection", "serverCpuMsPerConnection", "serverCores", "generatorCores");

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        LoadRun.checkRange("--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        LoadRun.checkRange("--window", window, 1, 10_000, "");
        List<BenchSystem> systems = LoadRun.systems(systemNames);
        PrintWriter out = load.out();
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        BenchReport.Runs runs = new BenchReport.Runs();
        Map<BenchSystem, ServerProcess> servers = new EnumMap<>(BenchSystem.class);
        Map<BenchSystem, Integer> ports = new EnumMap<>(BenchSystem.class);
        Map<BenchSystem, Double> firstStormRss = new EnumMap<>(BenchSystem.class);
        List<DeviceIdentity> ids = ws.identities(devices);
        try {
            // one process per system for the whole run: the warm-up run warms its JIT, as it would in service
            for (BenchSystem system : systems) {
                int port = ServerProcess.freePort();
                ports.put(system, port);
                servers.put(system, system.start(ws, devices, "off", port));
            }
            for (int r = 0; r <= load.runs(); r++) {
                for (BenchSystem system : systems) {
                    Map<String, Double> m;
                    // a fresh generator each time: no device resumes a TLS session from the storm before, every handshake is full
                    try (LoadFleet fleet = new LoadFleet(ids, ws.pki().trustAnchors(), load.threads())) {
                        m = once(fleet, system, servers.get(system), ports.get(system));
                    }
                    err.printf("%s %s: %.0f connections/s, all %d in %.1f s (%.0f failed), server %s KB heap / %.1f KB resident per connection,"
                                    + " generator %.1f KB; CPU: server %.2f cores, generator %.2f%n",
                            r == 0 ? "warm-up" : "run " + r, system.id(), m.get("connectsPerSecond"), devices, m.get("secondsToAll"),
                            m.get("failed"), fmt("%.1f", m.getOrDefault("serverHeapKBPerConnection", Double.NaN)),
                            m.get("serverRssKBPerConnection"), m.get("generatorHeapKBPerConnection"), m.get("serverCores"), m.get("generatorCores"));
                    err.flush();
                    if (r == 0) {
                        // resident memory only grows in a fresh process: freed memory stays with the process for the next run
                        firstStormRss.put(system, m.get("serverRssKBPerConnection"));
                    } else {
                        m.remove("serverRssKBPerConnection");
                        runs.add(system, m);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            servers.values().forEach(ServerProcess::close);
            ws.deleteScratch();
        }
        report(systems, runs, firstStormRss).publish(out, ws.results());
    }

    private Map<String, Double> once(LoadFleet fleet, BenchSystem system, ServerProcess server, int port) throws InterruptedException {
        Map<String, Double> m = new LinkedHashMap<>();
        long heapBefore = system.jvm() ? server.heapAfterGc() : 0;
        long rssBefore = server.residentBytes();
        long generatorBefore = LoadRun.heapAfterGc();
        double serverCpu = server.cpuSeconds();
        double generatorCpu = LoadRun.ownCpuSeconds();
        LoadFleet.Connected c = fleet.connect(port, devices, window, nanos -> { });
        try {
            serverCpu = server.cpuSeconds() - serverCpu;
            generatorCpu = LoadRun.ownCpuSeconds() - generatorCpu;
            if (c.devices().isEmpty()) {
                throw new IllegalStateException("no device could connect to " + system.label() + ": " + c.firstFailure());
            }
            int n = c.devices().size();
            m.put("connectsPerSecond", c.perSecond());
            m.put("secondsToAll", c.seconds());
            m.put("failed", (double) c.failed());
            if (system.jvm()) {
                m.put("serverHeapKBPerConnection", (server.heapAfterGc() - heapBefore) / 1024.0 / n);
            }
            m.put("serverRssKBPerConnection", (server.residentBytes() - rssBefore) / 1024.0 / n);
            m.put("generatorHeapKBPerConnection", (LoadRun.heapAfterGc() - generatorBefore) / 1024.0 / n);
            m.put("serverCpuMsPerConnection", serverCpu * 1000 / n);
            m.put("serverCores", serverCpu / c.seconds());
            m.put("generatorCores", generatorCpu / c.seconds());
        } finally {
            LoadFleet.closeAll(c.devices());
            ServerProcess.awaitClosed(port); // the next run's "before" must not count this run's connections

        }
        return m;
    }

    private BenchReport report(List<BenchSystem> systems, BenchReport.Runs runs, Map<BenchSystem, Double> firstStormRss) {
        BenchReport report = new BenchReport("connect", "Connect storm", load.commandLine());
        report.json().putObject("parameters").put("devices", devices).put("window", window).put("runs", load.runs())
                .put("generatorThreads", load.threads());
        runs.writeTo(report.json(), "systems", METRICS);
        report.paragraph(devices + " devices, each with its own EC P-256 certificate, TLS 1.3 with client certificates, window of "
                + window + " handshakes in flight, then idle; one server process per system for all runs, the connections closed between runs; median of " + load.runs()
                + " runs after one warm-up run (each run's figure in brackets). CPU in cores: CPU seconds ÷ wall seconds of the storm.");
        BenchSystem base = systems.get(0);
        List<List<String>> rows = new ArrayList<>();
        for (BenchSystem s : systems) {
            double rate = runs.median(s, "connectsPerSecond");
            rows.add(row(s.label(), fmt("%.0f", rate) + " (" + runs.each(s, "connectsPerSecond", "%.0f") + ")",
                    fmt("%.2f", runs.median(base, "connectsPerSecond") / rate),
                    fmt("%.1f", runs.median(s, "secondsToAll")), fmt("%.0f", runs.median(s, "failed")),
                    fmt("%.1f", runs.median(s, "serverHeapKBPerConnection")), fmt("%.1f", firstStormRss.getOrDefault(s, Double.NaN)),
                    fmt("%.1f", runs.median(s, "generatorHeapKBPerConnection")),
                    fmt("%.2f", runs.median(s, "serverCpuMsPerConnection")),
                    fmt("%.2f", runs.median(s, "serverCores")), fmt("%.2f", runs.median(s, "generatorCores"))));
        }
        report.table(row("system", "connections/s", base.id() + " ÷ this", "s to all", "failed", "server heap KB/conn", "server RSS KB/conn ¹",
                "generator heap KB/conn", "server CPU ms/conn", "server CPU", "generator CPU"), rows);
        report.paragraph("¹ resident memory grown by the warm-up storm, the first in a fresh process (later storms reuse what it freed)."
                + " Heap: used after a full GC, connected minus before. Server CPU ms/conn: the server's CPU time ÷ connections.");
        ObjectNode rss = report.json().putObject("serverRssKBPerConnectionFirstStorm");
        firstStormRss.forEach((s, v) -> rss.put(s.id(), v));
        return report;
    }
}

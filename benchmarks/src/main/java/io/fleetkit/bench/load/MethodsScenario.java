package io.fleetkit.bench.load;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.id.MethodName;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench methods}: N firmware devices online on the hub; the hub process calls a direct
 * method on random connected devices at a fixed rate (an open loop) and records each round trip:
 * call → PUBLISH to the device → the firmware's answer → the hub completes the call.
 */
public final class MethodsScenario {

    private final LoadRun load;

    private final int devices;

    private final int rate;

    private final Duration duration;

    private final String method;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public MethodsScenario(LoadRun load, int devices, int rate, Duration duration, String method) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.rate = rate;
        this.duration = duration;
        this.method = method;
    }

    static final List<String> METRICS = List.of("roundTripsPerSecond", "ok", "p50Ms", "p99Ms", "p999Ms", "serverCores", "generatorCores");

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        LoadRun.checkRange("--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        LoadRun.checkRange("--rate", rate, 1, 100_000, " calls/s");
        LoadRun.checkRange("--duration", duration.toSeconds(), 1, 3_600, " seconds");
        try {
            MethodName.of(method);
        } catch (ProtocolException e) {
            throw LoadRun.invalid("--method: " + e.getMessage());
        }
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        BenchReport.Runs runs = new BenchReport.Runs();
        int port = ServerProcess.freePort();
        try (ServerProcess server = BenchSystem.FLEETKIT.start(ws, devices, "off", port);
             Swarm swarm = SwarmLoad.start(ws.identities(devices), ws.pki().trustAnchors(), port, load.threads(), SwarmLoad.MAX_STARTING)) {
            err.printf("bringing %d devices online …%n", devices);
            err.flush();
            double online = SwarmLoad.awaitOnline(swarm, devices, System.nanoTime(), Duration.ofMinutes(5));
            if (Double.isNaN(online)) {
                throw new IllegalStateException("not every device came online within 5 minutes; failures: " + swarm.metrics().failures());
            }
            for (int r = 0; r <= load.runs(); r++) {
                double serverCpu = server.cpuSeconds();
                double generatorCpu = LoadRun.ownCpuSeconds();
                long start = System.nanoTime();
                String[] v = server.ask("methods " + rate + " " + duration.toSeconds() + " " + method, "METHODS").split(" ");
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("roundTripsPerSecond", Long.parseLong(v[0]) / (double) duration.toSeconds());
                m.put("calls", Double.parseDouble(v[0]));
                m.put("ok", Double.parseDouble(v[1]));
                m.put("p50Ms", Long.parseLong(v[2]) / 1000.0);
                m.put("p99Ms", Long.parseLong(v[3]) / 1000.0);
                m.put("p999Ms", Long.parseLong(v[4]) / 1000.0);
                m.put("serverCores", (server.cpuSeconds() - serverCpu) / seconds);
                m.put("generatorCores", (LoadRun.ownCpuSeconds() - generatorCpu) / seconds);
                err.printf("%s: %.0f calls, %.0f answered 200, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms; CPU: server %.2f cores, generator %.2f%n",
                        r == 0 ? "warm-up" : "run " + r, m.get("calls"), m.get("ok"), m.get("p50Ms"), m.get("p99Ms"), m.get("p999Ms"),
                        m.get("serverCores"), m.get("generatorCores"));
                err.flush();
                if (r > 0) {
                    runs.add(BenchSystem.FLEETKIT, m);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            ws.deleteScratch();
        }
        report(runs).publish(load.out(), ws.results());
    }

    private BenchReport report(BenchReport.Runs runs) {
        BenchReport report = new BenchReport("methods", "Direct methods", load.commandLine());
        report.json().putObject("parameters").put("devices", devices).put("rate", rate).put("durationSeconds", duration.toSeconds())
                .put("method", method).put("runs", load.runs());
        runs.writeTo(report.json(), "systems", METRICS);
        BenchSystem s = BenchSystem.FLEETKIT;
        report.paragraph(devices + " thermostats online (firmware on the swarm's Netty transport); the hub calls `" + method + "` on random"
                + " online devices at " + rate + "/s for " + duration.toSeconds() + " s per run (open loop), in its own process;"
                + " round trip = call → the device's answer completing the call. Median of " + load.runs() + " runs after one warm-up run.");
        report.table(row("round trips/s", "answered 200", "p50 ms", "p99 ms", "p99.9 ms", "server CPU", "generator CPU"),
                List.of(row(fmt("%.0f", runs.median(s, "roundTripsPerSecond")) + " (" + runs.each(s, "roundTripsPerSecond", "%.0f") + ")",
                        fmt("%.0f", runs.median(s, "ok")), fmt("%.2f", runs.median(s, "p50Ms")), fmt("%.2f", runs.median(s, "p99Ms")),
                        fmt("%.2f", runs.median(s, "p999Ms")), fmt("%.2f", runs.median(s, "serverCores")), fmt("%.2f", runs.median(s, "generatorCores")))));
        return report;
    }
}

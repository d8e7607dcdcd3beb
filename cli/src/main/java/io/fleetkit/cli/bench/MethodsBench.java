package io.fleetkit.cli.bench;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.cli.DurationConverter;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.id.MethodName;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.cli.bench.BenchReport.fmt;
import static io.fleetkit.cli.bench.BenchReport.row;

/**
 * {@code fleetkit bench methods}: N firmware devices online on the hub; the hub process calls a direct
 * method on random connected devices at a fixed rate (an open loop) and records each round trip:
 * call → PUBLISH to the device → the firmware's answer → the hub completes the call.
 */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = {"Direct methods across many devices: round trips/s and latency (p50/p99/p99.9), called in the hub's process",
                "on random online devices of a firmware swarm."})
final class MethodsBench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchCommand.Common common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices online (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "1000", description = "calls per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "each run (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "getDiagnostics",
            description = "the method called; the thermostat firmware answers it (default: ${DEFAULT-VALUE})")
    String method;

    static final List<String> METRICS = List.of("roundTripsPerSecond", "ok", "p50Ms", "p99Ms", "p999Ms", "serverCores", "generatorCores");

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        common.check(cli);
        BenchCommand.checkRange(cli, "--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        BenchCommand.checkRange(cli, "--rate", rate, 1, 100_000, " calls/s");
        BenchCommand.checkRange(cli, "--duration", duration.toSeconds(), 1, 3_600, " seconds");
        try {
            MethodName.of(method);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--method: " + e.getMessage());
        }
        PrintWriter err = cli.getErr();
        BenchWorkspace ws = common.workspace(err);
        BenchReport.Runs runs = new BenchReport.Runs();
        int port = ServerProcess.freePort();
        try (ServerProcess server = BenchSystem.FLEETKIT.start(ws, devices, "off", port);
             Swarm swarm = SwarmLoad.start(ws.identities(devices), ws.pki().trustAnchors(), port, common.threads, SwarmLoad.MAX_STARTING)) {
            err.printf("bringing %d devices online …%n", devices);
            err.flush();
            double online = SwarmLoad.awaitOnline(swarm, devices, System.nanoTime(), Duration.ofMinutes(5));
            if (Double.isNaN(online)) {
                throw new IllegalStateException("not every device came online within 5 minutes; failures: " + swarm.metrics().failures());
            }
            for (int r = 0; r <= common.runs; r++) {
                double serverCpu = server.cpuSeconds();
                double generatorCpu = BenchCommand.ownCpuSeconds();
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
                m.put("generatorCores", (BenchCommand.ownCpuSeconds() - generatorCpu) / seconds);
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
        report(cli, runs).publish(cli.getOut(), ws.results());
    }

    private BenchReport report(CommandLine cli, BenchReport.Runs runs) {
        BenchReport report = new BenchReport("methods", "Direct methods", BenchCommand.commandLine(cli));
        report.json().putObject("parameters").put("devices", devices).put("rate", rate).put("durationSeconds", duration.toSeconds())
                .put("method", method).put("runs", common.runs);
        runs.writeTo(report.json(), "systems", METRICS);
        BenchSystem s = BenchSystem.FLEETKIT;
        report.paragraph(devices + " thermostats online (firmware on the swarm's Netty transport); the hub calls `" + method + "` on random"
                + " online devices at " + rate + "/s for " + duration.toSeconds() + " s per run (open loop), in its own process;"
                + " round trip = call → the device's answer completing the call. Median of " + common.runs + " runs after one warm-up run.");
        report.table(row("round trips/s", "answered 200", "p50 ms", "p99 ms", "p99.9 ms", "server CPU", "generator CPU"),
                List.of(row(fmt("%.0f", runs.median(s, "roundTripsPerSecond")) + " (" + runs.each(s, "roundTripsPerSecond", "%.0f") + ")",
                        fmt("%.0f", runs.median(s, "ok")), fmt("%.2f", runs.median(s, "p50Ms")), fmt("%.2f", runs.median(s, "p99Ms")),
                        fmt("%.2f", runs.median(s, "p999Ms")), fmt("%.2f", runs.median(s, "serverCores")), fmt("%.2f", runs.median(s, "generatorCores")))));
        return report;
    }
}

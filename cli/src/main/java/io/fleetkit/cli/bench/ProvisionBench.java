package io.fleetkit.cli.bench;

import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.pki.DeviceIdentity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.cli.bench.BenchReport.fmt;
import static io.fleetkit.cli.bench.BenchReport.row;

/**
 * {@code fleetkit bench provision}: N firmware devices register through the hub's DPS (over MQTT/TLS,
 * PUT then polls) and connect, once per throttle profile. Unthrottled, the machine sets the pace: one
 * warm-up run, then the median of the measured runs in one server process. Throttled, the profile
 * sets it: one run in a fresh server, whose figure is how close the swarm's retries come to the limit.
 */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"DPS registrations: N devices register and connect, unthrottled and under an Azure-like throttle profile;",
                "registrations/s, time to all registered and online, 429s absorbed."})
final class ProvisionBench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchCommand.Common common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "1000", description = "devices that register (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--profiles", paramLabel = "LIST", split = ",", defaultValue = "off,s1",
            description = "throttle profiles to run, as in 'fleetkit serve --throttle' (default: ${DEFAULT-VALUE})")
    List<String> profiles;

    @Option(names = "--max-starting", paramLabel = "N", defaultValue = "500",
            description = "devices provisioning or connecting at once, as in 'fleetkit sim' (default: ${DEFAULT-VALUE})")
    int maxStarting;

    static final List<String> METRICS = List.of("registrationsPerSecond", "secondsToAllRegistered", "secondsToAllOnline", "dps429",
            "serverCores", "generatorCores");

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        common.check(cli);
        BenchCommand.checkRange(cli, "--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        BenchCommand.checkRange(cli, "--max-starting", maxStarting, 1, 19_000, "");
        for (String p : profiles) {
            try {
                ThrottleProfile.parse(p);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, "--profiles: " + e.getMessage());
            }
        }
        PrintWriter err = cli.getErr();
        BenchWorkspace ws = common.workspace(err);
        List<DeviceIdentity> ids = ws.identities(devices);
        Map<String, List<Map<String, Double>>> byProfile = new LinkedHashMap<>();
        try {
            for (String profile : profiles) {
                boolean throttled = !ThrottleProfile.parse(profile).name().equals(ThrottleProfile.OFF.name());
                List<Map<String, Double>> measured = byProfile.computeIfAbsent(profile, k -> new ArrayList<>());
                int port = ServerProcess.freePort();
                ServerProcess server = BenchSystem.FLEETKIT.start(ws, devices, profile, port);
                try {
                    for (int r = throttled ? 1 : 0; r <= (throttled ? 1 : common.runs); r++) {
                        Map<String, Double> m = once(ws, ids, server, port);
                        err.printf("%s %s: %.0f registrations/s, all registered in %.1f s, online in %.1f s, %.0f × 429; CPU: server %.2f cores,"
                                        + " generator %.2f%n", r == 0 ? "warm-up" : "run " + r, profile, m.get("registrationsPerSecond"),
                                m.get("secondsToAllRegistered"), m.get("secondsToAllOnline"), m.get("dps429"), m.get("serverCores"), m.get("generatorCores"));
                        err.flush();
                        if (r > 0) {
                            measured.add(m);
                        }
                    }
                } finally {
                    server.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            ws.deleteScratch();
        }
        report(cli, byProfile).publish(cli.getOut(), ws.results());
    }

    private Map<String, Double> once(BenchWorkspace ws, List<DeviceIdentity> ids, ServerProcess server, int port) throws InterruptedException {
        double serverCpu = server.cpuSeconds();
        double generatorCpu = BenchCommand.ownCpuSeconds();
        long start = System.nanoTime();
        Map<String, Double> m = new LinkedHashMap<>();
        try (Swarm swarm = SwarmLoad.start(ids, ws.pki().trustAnchors(), port, common.threads, maxStarting)) {
            double registered = SwarmLoad.awaitCount(swarm.metrics()::registrations, devices, start, Duration.ofMinutes(10));
            double online = SwarmLoad.awaitOnline(swarm, devices, start, Duration.ofMinutes(10));
            if (Double.isNaN(registered) || Double.isNaN(online)) {
                throw new IllegalStateException("after 10 minutes " + swarm.metrics().registrations() + " of " + devices
                        + " devices were registered; failures: " + swarm.metrics().failures());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            m.put("registrationsPerSecond", devices / registered);
            m.put("secondsToAllRegistered", registered);
            m.put("secondsToAllOnline", online);
            m.put("dps429", (double) swarm.metrics().throttled());
            m.put("serverCores", (server.cpuSeconds() - serverCpu) / seconds);
            m.put("generatorCores", (BenchCommand.ownCpuSeconds() - generatorCpu) / seconds);
        }
        return m;
    }

    private BenchReport report(CommandLine cli, Map<String, List<Map<String, Double>>> byProfile) {
        BenchReport report = new BenchReport("provision", "Provisioning (DPS over MQTT/TLS)", BenchCommand.commandLine(cli));
        report.json().putObject("parameters").put("devices", devices).put("maxStarting", maxStarting).put("runs", common.runs)
                .put("generatorThreads", common.threads);
        BenchReport.Runs runs = new BenchReport.Runs();
        byProfile.forEach((profile, list) -> list.forEach(m -> runs.add(profile, "throttle " + profile, m)));
        runs.writeTo(report.json(), "profiles", METRICS);
        List<List<String>> rows = new ArrayList<>();
        for (String p : byProfile.keySet()) {
            rows.add(row(p, fmt("%.0f", runs.median(p, "registrationsPerSecond")) + " (" + runs.each(p, "registrationsPerSecond", "%.0f") + ")",
                    fmt("%.1f", runs.median(p, "secondsToAllRegistered")), fmt("%.1f", runs.median(p, "secondsToAllOnline")),
                    fmt("%.0f", runs.median(p, "dps429")), fmt("%.2f", runs.median(p, "serverCores")), fmt("%.2f", runs.median(p, "generatorCores"))));
        }
        report.paragraph(devices + " thermostats (the firmware model on the swarm's Netty transport) register through the fleetkit hub's DPS"
                + " (MQTT over TLS, their own certificates: PUT, then polls after retry-after), then connect to the hub; at most " + maxStarting
                + " starting at once, never giving up. Unthrottled: median of " + common.runs + " runs after one warm-up run, one server process."
                + " Throttled: one run in a fresh server (the profile sets the pace; 429s are answered with retry-after).");
        report.table(row("throttle", "registrations/s", "s to all registered", "s to all online", "429s", "server CPU", "generator CPU"), rows);
        return report;
    }
}

package io.fleetkit.bench.load;

import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.pki.DeviceIdentity;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench provision}: N firmware devices register through the hub's DPS (over MQTT/TLS,
 * PUT then polls) and connect, once per throttle profile. Unthrottled, the machine sets the pace: one
 * warm-up run, then the median of the measured runs in one server process. Throttled, the profile
 * sets it: one run in a fresh server, whose figure is how close the swarm's retries come to the limit.
 */
public final class ProvisionScenario {

    private final LoadRun load;

    private final int devices;

    private final List<String> profiles;

    private final int maxStarting;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public ProvisionScenario(LoadRun load, int devices, List<String> profiles, int maxStarting) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.profiles = profiles;
        this.maxStarting = maxStarting;
    }

    static final List<String> METRICS = List.of("registrationsPerSecond", "secondsToAllRegistered", "secondsToAllOnline", "dps429",
            "serverCores", "generatorCores");

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        LoadRun.checkRange("--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        LoadRun.checkRange("--max-starting", maxStarting, 1, 19_000, "");
        for (String p : profiles) {
            try {
                ThrottleProfile.parse(p);
            } catch (IllegalArgumentException e) {
                throw LoadRun.invalid("--profiles: " + e.getMessage());
            }
        }
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        List<DeviceIdentity> ids = ws.identities(devices);
        Map<String, List<Map<String, Double>>> byProfile = new LinkedHashMap<>();
        try {
            for (String profile : profiles) {
                boolean throttled = !ThrottleProfile.parse(profile).name().equals(ThrottleProfile.OFF.name());
                List<Map<String, Double>> measured = byProfile.computeIfAbsent(profile, k -> new ArrayList<>());
                int port = ServerProcess.freePort();
                ServerProcess server = BenchSystem.FLEETKIT.start(ws, devices, profile, port);
                try {
                    for (int r = throttled ? 1 : 0; r <= (throttled ? 1 : load.runs()); r++) {
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
        report(byProfile).publish(load.out(), ws.results());
    }

    private Map<String, Double> once(BenchWorkspace ws, List<DeviceIdentity> ids, ServerProcess server, int port) throws InterruptedException {
        double serverCpu = server.cpuSeconds();
        double generatorCpu = LoadRun.ownCpuSeconds();
        long start = System.nanoTime();
        Map<String, Double> m = new LinkedHashMap<>();
        try (Swarm swarm = SwarmLoad.start(ids, ws.pki().trustAnchors(), port, load.threads(), maxStarting)) {
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
            m.put("generatorCores", (LoadRun.ownCpuSeconds() - generatorCpu) / seconds);
        }
        return m;
    }

    private BenchReport report(Map<String, List<Map<String, Double>>> byProfile) {
        BenchReport report = new BenchReport("provision", "Provisioning (DPS over MQTT/TLS)", load.commandLine());
        report.json().putObject("parameters").put("devices", devices).put("maxStarting", maxStarting).put("runs", load.runs())
                .put("generatorThreads", load.threads());
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
                + " starting at once, never giving up. Unthrottled: median of " + load.runs() + " runs after one warm-up run, one server process."
                + " Throttled: one run in a fresh server (the profile sets the pace; 429s are answered with retry-after).");
        report.table(row("throttle", "registrations/s", "s to all registered", "s to all online", "429s", "server CPU", "generator CPU"), rows);
        return report;
    }
}

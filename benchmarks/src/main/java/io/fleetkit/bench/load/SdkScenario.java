package io.fleetkit.bench.load;


import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench sdk}: the same N idle devices on the fleetkit hub, simulated two ways, each in
 * its own JVM with the same heap limit — one official Azure SDK {@code DeviceClient} per device, and
 * the fleetkit swarm — measured for time to all connected, heap per device (after GC, connected
 * minus before; the identities are issued before), devices per GiB, threads and CPU.
 */
public final class SdkScenario {
    static final int SDK_PORT = 8883;


    private final LoadRun load;

    private final int devices;

    private final int sdkParallel;

    private final List<String> simulatorNames;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public SdkScenario(LoadRun load, int devices, int sdkParallel, List<String> simulatorNames) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.sdkParallel = sdkParallel;
        this.simulatorNames = simulatorNames;
    }

    static final List<String> METRICS = List.of("secondsToAllOnline", "failed", "heapKBPerDevice", "heapKBPerDeviceWithIdentity", "devicesPerGiB", "threads",
            "threadsPerDevice", "residentMB", "residentKBPerDevice", "cpuSeconds");

    private enum Simulator {
        AZURE_SDK("Azure SDK, a DeviceClient per device"), FLEETKIT_SWARM("fleetkit swarm");

        final String label;

        Simulator(String label) {
            this.label = label;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Simulator parse(String text) {
            for (Simulator s : values()) {
                if (s.id().equals(text.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown simulator '" + text + "' (azure-sdk, fleetkit-swarm)");
        }
    }

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        List<Simulator> simulators = new ArrayList<>();
        for (String name : simulatorNames) {
            try {
                Simulator sim = Simulator.parse(name);
                if (!simulators.contains(sim)) {
                    simulators.add(sim);
                }
            } catch (IllegalArgumentException e) {
                throw LoadRun.invalid("--simulators: " + e.getMessage());
            }
        }
        if (simulators.contains(Simulator.AZURE_SDK)) {
            LoadRun.checkRange("--devices", devices, 1, 5_000, " with azure-sdk (it starts 9 threads per client)");
        } else {
            LoadRun.checkRange("--devices", devices, 1, 19_000, " (the 20,000 descriptors a process may hold)");
        }
        LoadRun.checkRange("--sdk-parallel", sdkParallel, 1, 1_000, "");
        try (ServerSocket probe = new ServerSocket(SDK_PORT, 1, InetAddress.getByName("127.0.0.1"))) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + SDK_PORT + " on 127.0.0.1 is taken, and the Azure SDK dials no other:"
                    + " stop what listens there ('fleetkit serve' uses it by default) and run again");
        }
        Path sdkJar = BenchWorkspace.home().resolve("benchmarks/peers/azure-sdk/target/fleetkit-peer-azure-sdk.jar");
        if (simulators.contains(Simulator.AZURE_SDK) && !Files.isRegularFile(sdkJar)) {
            throw new IllegalStateException("the Azure SDK peer is not built (" + sdkJar + "); build it with "
                    + "'mvn -B -q -DskipTests -pl benchmarks/peers/azure-sdk -am package' (./fleetkit builds it on first use)");
        }
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        Map<Simulator, List<Map<String, Double>>> results = new LinkedHashMap<>();
        try (ServerProcess hub = BenchSystem.FLEETKIT.start(ws, devices, "off", SDK_PORT)) {
            for (int r = 0; r <= load.runs(); r++) {
                for (Simulator sim : simulators) {
                    Map<String, Double> m = once(ws, hub, sim, sdkJar);
                    err.printf("%s %s: all %d online in %.1f s (%.0f failed), %.1f KB heap per device = %.0f devices/GiB, %.0f threads,"
                                    + " %.0f MB resident, %.1f CPU s%n", r == 0 ? "warm-up" : "run " + r, sim.label, devices,
                            m.get("secondsToAllOnline"), m.get("failed"), m.get("heapKBPerDevice"), m.get("devicesPerGiB"), m.get("threads"),
                            m.get("residentMB"), m.get("cpuSeconds"));
                    err.flush();
                    if (r > 0) {
                        results.computeIfAbsent(sim, k -> new ArrayList<>()).add(m);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            ws.deleteScratch();
        }
        report(results).publish(load.out(), ws.results());
    }

    private Map<String, Double> once(BenchWorkspace ws, ServerProcess hub, Simulator sim, Path sdkJar) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.addAll(ws.serverJvmOptions(sim.name().toLowerCase()));
        if (sim == Simulator.AZURE_SDK) {
            cmd.addAll(List.of("-jar", sdkJar.toString(), ws.pki().dir().toString(), BenchWorkspace.DEVICE_PREFIX, Integer.toString(devices),
                    Integer.toString(sdkParallel)));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SwarmPeer.class.getName(), ws.pki().dir().toString(),
                    BenchWorkspace.DEVICE_PREFIX, Integer.toString(devices), Integer.toString(SDK_PORT), Integer.toString(load.threads())));
        }
        Map<String, Double> m = new LinkedHashMap<>();
        try (ServerProcess peer = ServerProcess.startControlled(sim.label, cmd, ws.log(sim.name().toLowerCase()), Duration.ofMinutes(5))) {
            long heapBefore = peer.heapAfterGc();
            long residentBefore = peer.residentBytes();
            int threadsBefore = ServerProcess.threadsOf(peer.pid());
            double cpuBefore = peer.cpuSeconds();
            String[] online = peer.ask("start", "ONLINE").split(" ");
            double cpu = peer.cpuSeconds() - cpuBefore;
            long heapAfter = peer.heapAfterGc();
            int threads = ServerProcess.threadsOf(peer.pid());
            double perDevice = (heapAfter - heapBefore) / 1024.0 / devices;
            m.put("secondsToAllOnline", Double.parseDouble(online[0]));
            m.put("failed", Double.parseDouble(online[1]));
            m.put("heapKBPerDevice", perDevice);
            m.put("heapKBPerDeviceWithIdentity", heapAfter / 1024.0 / devices); // the whole heap: identities and the JVM's own share in
            if (perDevice > 0) { // at a few devices GC noise can outweigh them: then no figure ("–"), not a negative one
                m.put("devicesPerGiB", 1024 * 1024 / perDevice);
            }
            m.put("threads", (double) threads);
            m.put("threadsPerDevice", (threads - threadsBefore) / (double) devices);
            long resident = peer.residentBytes();
            m.put("residentMB", resident / 1024.0 / 1024);
            m.put("residentKBPerDevice", (resident - residentBefore) / 1024.0 / devices);
            m.put("cpuSeconds", cpu);
        }
        awaitHubEmpty(hub);
        return m;
    }

    private static void awaitHubEmpty(ServerProcess hub) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Integer.parseInt(hub.ask("connected", "CONNECTED")) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private BenchReport report(Map<Simulator, List<Map<String, Double>>> results) {
        BenchReport report = new BenchReport("sdk", "Device simulators: Azure SDK per device vs the fleetkit swarm", load.commandLine());
        report.json().putObject("parameters").put("devices", devices).put("sdkParallel", sdkParallel).put("runs", load.runs());
        BenchReport.Runs runs = new BenchReport.Runs();
        results.forEach((sim, list) -> list.forEach(m -> runs.add(sim.id(), sim.label, m)));
        runs.writeTo(report.json(), "simulators", METRICS);
        String swarm = Simulator.FLEETKIT_SWARM.id();
        List<List<String>> rows = new ArrayList<>();
        for (Simulator sim : results.keySet()) {
            String k = sim.id();
            rows.add(row(sim.label, fmt("%.1f", runs.median(k, "secondsToAllOnline")) + " (" + runs.each(k, "secondsToAllOnline", "%.1f") + ")",
                    fmt("%.1f", runs.median(k, "heapKBPerDevice")), fmt("%.1f", runs.median(k, "heapKBPerDeviceWithIdentity")),
                    fmt("%.0f", runs.median(k, "devicesPerGiB")),
                    fmt("%.1f", runs.median(swarm, "devicesPerGiB") / runs.median(k, "devicesPerGiB")),
                    fmt("%.0f", runs.median(k, "threads")), fmt("%.2f", runs.median(k, "threadsPerDevice")), fmt("%.0f", runs.median(k, "residentMB")),
                    fmt("%.0f", runs.median(k, "residentKBPerDevice")),
                    fmt("%.1f", runs.median(k, "cpuSeconds")), fmt("%.0f", runs.median(k, "failed"))));
        }
        report.paragraph(devices + " idle devices connected to the fleetkit hub (port " + SDK_PORT + ") by each simulator in its own JVM"
                + " (-Xmx4g, a fresh process per run): the Azure IoT device SDK 2.5.0 with one `DeviceClient` per device (MQTT, X.509,"
                + " " + sdkParallel + " opening at once), and the fleetkit swarm (thermostat firmware whose flash holds the hub, so it goes"
                + " straight there too; at most 500 starting at once). Heap: used after a full GC, connected minus before (the identities"
                + " are issued before); all heap ÷ devices: the whole used heap after GC, identities included. Resident KB/device:"
                + " the process's resident memory grown while connecting"
                + " (thread stacks included). Median of " + load.runs() + " runs after one warm-up run.");
        report.table(row("simulator", "s to all online", "heap KB/device", "all heap ÷ devices KB", "devices/GiB", "swarm ÷ this (devices/GiB)", "threads",
                "threads/device", "resident MB", "resident KB/device", "CPU s to connect", "failed"), rows);
        return report;
    }
}

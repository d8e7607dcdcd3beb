package io.fleetkit.bench.load;

import io.fleetkit.firmware.netty.LoadDevice;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench telemetry}: QoS 1 ingest over TLS. Every system gets the same devices,
 * payloads and topics; each device keeps a window of messages unacknowledged (a closed loop) for
 * the run's duration. The systems run side by side and take turns, so a noisy minute hits them
 * alike. The fleetkit hub acknowledges only after the durable append; run with the backend behind it
 * ({@code fleetkit-pipeline}) the figure is end to end, with stored rows per second until the last row
 * is in, and then, at half that median rate (an open loop), the latency from device publish to a
 * handler on the telemetry stream. Half the stored rate, not half the acknowledged one: the hub
 * acknowledges faster than the backend stores (the stream buffers the difference), so half the
 * acknowledged rate can be most of what the processors sustain, and measures their backlog.
 */
public final class TelemetryScenario {

    private final LoadRun load;

    private final int devices;

    private final int window;

    private final Duration duration;

    private final Duration latencyDuration;

    private final Double latencyRate;

    private final List<String> systemNames;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public TelemetryScenario(LoadRun load, int devices, int window, Duration duration, Duration latencyDuration, Double latencyRate, List<String> systemNames) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.window = window;
        this.duration = duration;
        this.latencyDuration = latencyDuration;
        this.latencyRate = latencyRate;
        this.systemNames = systemNames;
    }

    static final List<String> METRICS = List.of("ackedPerSecond", "storedPerSecond", "pubackP50Ms", "pubackP99Ms", "serverCpuMicrosPerMessage", "serverCores",
            "generatorCores");

    /** One system during the run: its process, its connected devices and what they count. */
    private record Target(BenchSystem system, ServerProcess server, List<LoadDevice> devices, AtomicLong acked, Recorder puback) {
    }

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        List<BenchSystem> systems = LoadRun.systems(systemNames);
        LoadRun.checkRange("--devices", devices, 1, 19_000 / systems.size(),
                " (" + systems.size() + " systems side by side within the 20,000 descriptors a process may hold)");
        LoadRun.checkRange("--window", window, 1, 1_000, "");
        LoadRun.checkRange("--duration", duration.toSeconds(), 1, 3_600, " seconds");
        LoadRun.checkRange("--latency-duration", latencyDuration.toSeconds(), 0, 3_600, " seconds");
        if (latencyRate != null && !(latencyRate >= 1 && latencyRate <= 1_000_000)) {
            throw LoadRun.invalid("--latency-rate must be 1–1000000 messages/s, was " + latencyRate);
        }
        PrintWriter out = load.out();
        PrintWriter err = load.progress();
        BenchWorkspace ws = load.workspace();
        BenchReport.Runs runs = new BenchReport.Runs();
        List<Latency> latencies = new ArrayList<>();
        Map<BenchSystem, Target> targets = new EnumMap<>(BenchSystem.class);
        try (LoadFleet fleet = new LoadFleet(ws.identities(devices), ws.pki().trustAnchors(), load.threads())) {
            for (BenchSystem s : systems) {
                err.printf("starting %s and connecting %d devices …%n", s.label(), devices);
                err.flush();
                int port = ServerProcess.freePort();
                ServerProcess server = s.start(ws, devices, "off", port);
                AtomicLong acked = new AtomicLong();
                Recorder puback = new Recorder(3);
                targets.put(s, new Target(s, server, new ArrayList<>(), acked, puback));
                LoadFleet.Connected c = fleet.connect(port, devices, 200, nanos -> {
                    acked.incrementAndGet();
                    puback.recordValue(nanos / 1000);
                });
                targets.get(s).devices().addAll(c.devices());
                if (c.failed() > 0) {
                    throw new IllegalStateException(c.failed() + " devices could not connect to " + s.label() + ", the first: " + c.firstFailure());
                }
            }
            for (int r = 0; r <= load.runs(); r++) {
                for (BenchSystem s : systems) {
                    Map<String, Double> m = once(fleet, targets.get(s));
                    err.printf("%s %s: %.0f messages/s acknowledged%s, PUBACK p50 %.1f ms p99 %.1f ms; CPU: server %.2f cores, generator %.2f%n",
                            r == 0 ? "warm-up" : "run " + r, s.id(), m.get("ackedPerSecond"),
                            m.containsKey("storedPerSecond") ? String.format(", %.0f rows/s stored", m.get("storedPerSecond")) : "",
                            m.get("pubackP50Ms"), m.get("pubackP99Ms"), m.get("serverCores"), m.get("generatorCores"));
                    err.flush();
                    if (r > 0) {
                        runs.add(s, m);
                    }
                }
            }
            if (latencyDuration.toSeconds() > 0) {
                for (BenchSystem s : List.of(BenchSystem.FLEETKIT, BenchSystem.FLEETKIT_PIPELINE, BenchSystem.FLEETKIT_KAFKA)) {
                    if (targets.containsKey(s)) {
                        double rate = latencyRate != null ? latencyRate : halfTheMaximum(s, runs, targets.containsKey(BenchSystem.FLEETKIT_PIPELINE));
                        err.printf("latency of %s at %.0f messages/s for %d s …%n", s.id(), rate, latencyDuration.toSeconds());
                        err.flush();
                        latencies.add(latency(fleet, targets.get(s), rate));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            targets.values().forEach(t -> {
                LoadFleet.closeAll(t.devices());
                t.server().close();
            });
            ws.deleteScratch();
        }
        report(systems, runs, latencies).publish(out, ws.results());
    }

    /**
     * The latency phase's rate: both hub modes on the file log at the same one, half the maximum end to end (the file
     * pipeline's median stored rows/s, or without it the hub's acknowledged rate) — what the backend behind the ingest adds;
     * the backend on Kafka + PostgreSQL at half its own stored rows/s.
     */
    private static double halfTheMaximum(BenchSystem s, BenchReport.Runs runs, boolean withFilePipeline) {
        if (s == BenchSystem.FLEETKIT_KAFKA) {
            return runs.median(s, "storedPerSecond") / 2;
        }
        return withFilePipeline ? runs.median(BenchSystem.FLEETKIT_PIPELINE, "storedPerSecond") / 2
                : runs.median(BenchSystem.FLEETKIT, "ackedPerSecond") / 2;
    }

    private Map<String, Double> once(LoadFleet fleet, Target t) throws InterruptedException {
        boolean hub = t.system().pipeline();
        long storedBefore = hub ? Long.parseLong(t.server().ask("stored", "STORED")) : 0;
        t.puback().reset();
        double serverCpu = t.server().cpuSeconds();
        double generatorCpu = LoadRun.ownCpuSeconds();
        long start = System.nanoTime();
        long acked = fleet.closedLoop(t.devices(), window, duration, t.acked());
        double seconds = duration.toNanos() / 1e9;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ackedPerSecond", acked / seconds);
        Histogram puback = t.puback().getIntervalHistogram();
        m.put("pubackP50Ms", puback.getValueAtPercentile(50) / 1000.0);
        m.put("pubackP99Ms", puback.getValueAtPercentile(99) / 1000.0);
        serverCpu = t.server().cpuSeconds() - serverCpu;
        m.put("serverCpuMicrosPerMessage", serverCpu * 1e6 / Math.max(1, acked));
        m.put("serverCores", serverCpu / seconds);
        m.put("generatorCores", (LoadRun.ownCpuSeconds() - generatorCpu) / seconds);
        if (hub) {
            // every message acknowledged (the drained tail too) becomes a row: wait for the last one
            long expected = storedBefore + puback.getTotalCount();
            long stored = waitForRows(t.server(), expected);
            m.put("storedPerSecond", (stored - storedBefore) / ((System.nanoTime() - start) / 1e9));
        }
        return m;
    }

    private static long waitForRows(ServerProcess hub, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            long stored = Long.parseLong(hub.ask("stored", "STORED"));
            if (stored >= expected || System.nanoTime() > deadline) {
                return stored;
            }
            Thread.sleep(20);
        }
    }

    /** The latency phase: publish → handler (measured in the hub) and publish → PUBACK (in the generator), in ms; each stage's. */
    private record Latency(BenchSystem system, double rate, long samples, double p50, double p99, double p999, double pubackP50,
                           double pubackP99, double pubackP999, List<StageFigure> stages) {
        StageFigure stage(String part, String label) {
            return stages.stream().filter(s -> s.part().equals(part) && s.stage().equals(label)).findFirst().orElse(null);
        }
    }

    /** One stage of one part over the latency phase, in ms (the hub's {@code stages} answer: see HubBenchServer.PhaseStages). */
    record StageFigure(String part, String stage, long count, double p50, double p99, double p999) {
        static List<StageFigure> parse(String answer) {
            List<StageFigure> out = new ArrayList<>();
            for (String word : answer.isBlank() ? new String[0] : answer.trim().split(" ")) {
                String[] f = word.split("/");
                if (f.length != 6) {
                    throw new IllegalStateException("the hub's stages answer is not part/stage/count/p50/p99/p999: '" + word + "'");
                }
                out.add(new StageFigure(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]) / 1000.0, Long.parseLong(f[4]) / 1000.0,
                        Long.parseLong(f[5]) / 1000.0));
            }
            return out;
        }
    }

    /** The latency table's stage columns, in the path's order: part, stage label, heading. */
    private static final List<String[]> STAGE_COLUMNS = List.of(
            new String[]{"latency-probe", "accepted", "publish → accepted"},
            new String[]{"hub", "appended", "→ appended"},
            new String[]{"hub", "puback", "appended → PUBACK"},
            new String[]{"latency-probe", "handed", "accepted → handed (probe)"},
            new String[]{"latency-probe", "handled", "→ handled (probe)"},
            new String[]{"store", "handed", "accepted → handed (store)"},
            new String[]{"store", "handled", "→ handled (store)"},
            new String[]{"store", "stored", "→ stored (store)"},
            new String[]{"store", "end_to_end", "accepted → stored (store)"});

    private Latency latency(LoadFleet fleet, Target hub, double rate) throws InterruptedException {
        long storedBefore = Long.parseLong(hub.server().ask("stored", "STORED"));
        hub.server().ask("latency", "LATENCY"); // starts a fresh interval
        hub.server().ask("stages", "STAGES"); // and of each stage
        hub.puback().reset();
        long sent = fleet.openLoop(hub.devices(), rate, latencyDuration);
        waitForRows(hub.server(), storedBefore + sent);
        String[] v = hub.server().ask("latency", "LATENCY").split(" ");
        List<StageFigure> stages = StageFigure.parse(hub.server().ask("stages", "STAGES"));
        Histogram puback = hub.puback().getIntervalHistogram();
        return new Latency(hub.system(), rate, Long.parseLong(v[0]), Long.parseLong(v[1]) / 1000.0, Long.parseLong(v[2]) / 1000.0,
                Long.parseLong(v[3]) / 1000.0, puback.getValueAtPercentile(50) / 1000.0, puback.getValueAtPercentile(99) / 1000.0,
                puback.getValueAtPercentile(99.9) / 1000.0, stages);
    }

    private BenchReport report(List<BenchSystem> systems, BenchReport.Runs runs, List<Latency> latencies) {
        BenchReport report = new BenchReport("telemetry", "Telemetry ingest (QoS 1 over TLS)", load.commandLine());
        report.json().putObject("parameters").put("devices", devices).put("window", window).put("durationSeconds", duration.toSeconds())
                .put("runs", load.runs()).put("generatorThreads", load.threads());
        runs.writeTo(report.json(), "systems", METRICS);
        report.paragraph(devices + " devices per system, each keeping " + window + " QoS 1 messages unacknowledged for "
                + duration.toSeconds() + " s per run (the same ~150-byte JSON telemetry to `devices/{id}/messages/events/…` on every system);"
                + " systems side by side, taking turns; median of " + load.runs() + " runs after one warm-up run (each run in brackets)."
                + " The fleetkit hub acknowledges after the durable append (fsync); with the backend behind it, every message also"
                + " becomes a row in H2 (stored rows/s until the last row is in), on the same two cores. On Kafka + PostgreSQL the hub"
                + " acknowledges when the broker has the record (acks=all) and the rows go to PostgreSQL; broker and database share"
                + " the same two cores. The peers acknowledge with nothing subscribed. CPU in cores: CPU seconds ÷ wall seconds of the run.");
        BenchSystem base = systems.get(0);
        List<List<String>> rows = new ArrayList<>();
        for (BenchSystem s : systems) {
            double rate = runs.median(s, "ackedPerSecond");
            rows.add(row(s.label(), fmt("%.0f", rate) + " (" + runs.each(s, "ackedPerSecond", "%.0f") + ")",
                    fmt("%.2f", runs.median(base, "ackedPerSecond") / rate), fmt("%.0f", runs.median(s, "storedPerSecond")),
                    fmt("%.1f", runs.median(s, "pubackP50Ms")), fmt("%.1f", runs.median(s, "pubackP99Ms")),
                    fmt("%.0f", runs.median(s, "serverCpuMicrosPerMessage")),
                    fmt("%.2f", runs.median(s, "serverCores")), fmt("%.2f", runs.median(s, "generatorCores"))));
        }
        report.table(row("system", "acknowledged msg/s", base.id() + " ÷ this", "stored rows/s", "PUBACK p50 ms", "PUBACK p99 ms",
                "server CPU µs/msg", "server CPU", "generator CPU"), rows);
        if (!latencies.isEmpty()) {
            var json = report.json().putArray("latency");
            List<List<String>> latencyRows = new ArrayList<>();
            List<List<String>> stageRows = new ArrayList<>();
            for (Latency l : latencies) {
                var entry = json.addObject().put("system", l.system().id()).put("ratePerSecond", l.rate()).put("samples", l.samples())
                        .put("p50Ms", l.p50()).put("p99Ms", l.p99()).put("p999Ms", l.p999())
                        .put("pubackP50Ms", l.pubackP50()).put("pubackP99Ms", l.pubackP99()).put("pubackP999Ms", l.pubackP999());
                var stagesJson = entry.putArray("stages");
                l.stages().forEach(f -> stagesJson.addObject().put("part", f.part()).put("stage", f.stage()).put("messages", f.count())
                        .put("p50Ms", f.p50()).put("p99Ms", f.p99()).put("p999Ms", f.p999()));
                List<String> stageRow = new ArrayList<>(List.of(l.system().label()));
                for (String[] c : STAGE_COLUMNS) {
                    StageFigure f = l.stage(c[0], c[1]);
                    stageRow.add(f == null || f.count() == 0 ? "–" : fmt("%.2f", f.p50()) + " / " + fmt("%.2f", f.p99()));
                }
                stageRows.add(stageRow);
                boolean probe = l.samples() > 0;
                latencyRows.add(row(l.system().label(), fmt("%.0f", l.rate()), probe ? fmt("%.2f", l.p50()) : "–", probe ? fmt("%.2f", l.p99()) : "–",
                        probe ? fmt("%.2f", l.p999()) : "–", fmt("%.2f", l.pubackP50()), fmt("%.2f", l.pubackP99()), fmt("%.2f", l.pubackP999())));
            }
            report.paragraph("Latency, open loop for " + latencyDuration.toSeconds() + " s at "
                    + (latencyRate != null ? "the rate asked for"
                    : (systems.contains(BenchSystem.FLEETKIT_PIPELINE) ? "half the median stored rows/s of the hub + backend (its maximum end to end)"
                    : "half the median acknowledged rate of the hub") + ", both hub modes on the file log at the same rate"
                    + (systems.contains(BenchSystem.FLEETKIT_KAFKA) ? ", the backend on Kafka + PostgreSQL at half its own" : ""))
                    + "; publish → handler is measured in the hub by a processor on the telemetry"
                    + " stream (from the `sentMicros` reading), publish → PUBACK in the generator:");
            report.table(row("system", "msg/s", "→ handler p50 ms", "p99", "p99.9", "→ PUBACK p50 ms", "p99", "p99.9"), latencyRows);
            List<String> heading = new ArrayList<>(List.of("system"));
            STAGE_COLUMNS.forEach(c -> heading.add(c[2]));
            report.paragraph("Where the time goes in the same phase, stage by stage (p50 / p99 ms; `StageTimings` in the hub, each"
                    + " stage from the point before it; publish → accepted is the probe's publish → handler less the hub's accepted →"
                    + " handler; the probe and the store are two processor groups reading the telemetry stream; – not measured):");
            report.table(heading, stageRows);
        }
        return report;
    }
}

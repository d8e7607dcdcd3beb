package io.fleetkit.bench.load;

import io.fleetkit.firmware.DeviceRunner;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.protocol.pki.DeviceIdentity;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.fleetkit.bench.load.BenchReport.fmt;
import static io.fleetkit.bench.load.BenchReport.row;

/**
 * {@code fleetkit bench soak}: the hub and the whole backend in their own process, held under the swarm's load (this
 * process: thermostats through DPS to the hub, telemetry at a multiple of the model's rate) for a long time, sampled
 * every interval from outside — heap after a full GC, resident memory, threads, descriptors, the store's backlog, rows
 * stored per second, the devices' PUBACK p99. It fails if the fitted trend of heap or resident memory (after a warm-up)
 * grows faster than its limit, if any device gives up, or if, once the devices have stopped and drained, the rows stored
 * are not exactly the telemetry the devices saw acknowledged. The server's heap is fixed and touched up front
 * ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so resident memory moves only with what lives outside the heap.
 */
public final class SoakScenario {
    /** The server's fixed heap: resident memory then shows only what grows outside it. */
    static final List<String> SERVER_MEMORY = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");
    private static final double MB = 1024 * 1024;


    private final LoadRun load;

    private final int devices;

    private final double rateMultiplier;

    private final Duration duration;

    private final Duration sampleEvery;

    private final Duration warmUp;

    private final double heapGrowthLimit;

    private final double residentGrowthLimit;

    private final int maxStarting;

    private final Path replot;

    /** The scenario with its settings; {@link #run()} checks them before it starts anything. */
    public SoakScenario(LoadRun load, int devices, double rateMultiplier, Duration duration, Duration sampleEvery, Duration warmUp, double heapGrowthLimit, double residentGrowthLimit, int maxStarting, Path replot) {
        this.load = java.util.Objects.requireNonNull(load, "load");
        this.devices = devices;
        this.rateMultiplier = rateMultiplier;
        this.duration = duration;
        this.sampleEvery = sampleEvery;
        this.warmUp = warmUp;
        this.heapGrowthLimit = heapGrowthLimit;
        this.residentGrowthLimit = residentGrowthLimit;
        this.maxStarting = maxStarting;
        this.replot = replot;
    }

    /** Consecutive failures before a device gives up: a device that cannot get back in is a failed soak. */
    private static final int MAX_FAILURES = 20;

    /** Runs the scenario and publishes its report (WORK/results); a setting out of range is refused before anything starts. */
    public void run() {
        if (replot != null) {
            replot();
            return;
        }
        LoadRun.checkRange("--devices", devices, 1, 19_000, " (the swarm's connections within the 20,000 descriptors a process may hold)");
        if (!(rateMultiplier > 0 && rateMultiplier <= 1000)) {
            throw LoadRun.invalid("--rate-multiplier must be above 0 and at most 1000, was " + rateMultiplier);
        }
        LoadRun.checkRange("--duration", duration.toSeconds(), 30, 7 * 24 * 3600, " seconds");
        LoadRun.checkRange("--sample-every", sampleEvery.toSeconds(), 1, duration.toSeconds() / 4,
                " seconds (at least four samples in the duration)");
        Duration excluded = warmUp != null ? warmUp : Duration.ofSeconds(Math.min(300, duration.toSeconds() / 4));
        LoadRun.checkRange("--warm-up", excluded.toSeconds(), 0, duration.toSeconds() - 2 * sampleEvery.toSeconds(),
                " seconds (at least two samples after it)");
        LoadRun.checkRange("--max-starting", maxStarting, 1, 10_000, "");
        PrintWriter err = load.progress();
        List<String> jvm = new ArrayList<>(SERVER_MEMORY);
        jvm.addAll(load.serverJvmOptions());
        BenchWorkspace ws = new BenchWorkspace(load.work(), err, load.jfr(), jvm, load.engines());
        List<DeviceIdentity> ids = ws.identities(devices);
        List<SoakSample> samples = new ArrayList<>();
        Ending ending;
        int port = ServerProcess.freePort();
        err.printf("starting the hub + backend (heap %s) …%n", String.join(" ", SERVER_MEMORY));
        err.flush();
        try (ServerProcess server = BenchSystem.FLEETKIT_PIPELINE.start(ws, devices, "off", port);
             Swarm swarm = SwarmLoad.start(ids, ws.pki().trustAnchors(), port, load.threads(), maxStarting, rateMultiplier, MAX_FAILURES)) {
            err.printf("%d thermostats provisioning and connecting (at most %d at once) …%n", devices, maxStarting);
            err.flush();
            double online = SwarmLoad.awaitOnline(swarm, devices, System.nanoTime(), Duration.ofMinutes(10));
            if (Double.isNaN(online)) {
                throw new IllegalStateException("after 10 minutes " + swarm.metrics().count(LifecycleState.ONLINE) + " of " + devices
                        + " devices were online; failures: " + swarm.metrics().failures());
            }
            err.printf("all %d online in %.1f s; %s of load at %.0f messages/s, a sample every %d s …%n", devices, online,
                    DurationText.of(duration), devices * rateMultiplier / 60, sampleEvery.toSeconds());
            err.flush();
            sample(server, swarm, samples, err);
            ending = drain(server, swarm, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            ws.deleteScratch();
        }
        Verdict verdict = judge(samples, excluded, ending);
        report(samples, excluded, ending, verdict, ws.results()).publish(load.out(), ws.results());
        if (!verdict.failures().isEmpty()) {
            throw new IllegalStateException("the soak failed: " + String.join("; ", verdict.failures()));
        }
    }

    /** Draws {@link #replot}'s samples again (with this build's plot), fitting the trends as the run did. */
    private void replot() {
        com.fasterxml.jackson.databind.JsonNode result;
        try {
            result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replot.toFile());
        } catch (java.io.IOException e) {
            throw LoadRun.invalid("--replot: cannot read " + replot + ": " + e.getMessage());
        }
        if (result == null || !"soak".equals(result.path("scenario").asText()) || !result.path("samples").isArray()) {
            throw LoadRun.invalid("--replot: " + replot + " is not the JSON result of a soak");
        }
        List<SoakSample> samples = new ArrayList<>();
        for (var n : result.get("samples")) {
            samples.add(new SoakSample(n.path("minute").asDouble(), n.path("heapAfterGcMb").asDouble(), n.path("gcPauseMs").asLong(),
                    n.path("residentMb").asDouble(), n.path("threads").asInt(), n.path("descriptors").asInt(), n.path("backlog").asLong(),
                    n.path("rowsPerSecond").asDouble(), n.path("pubackP50Ms").asDouble(Double.NaN), n.path("pubackP99Ms").asDouble(),
                    n.path("online").asInt(), n.path("gaveUp").asInt()));
        }
        var parameters = result.path("parameters");
        double from = parameters.path("warmUpSeconds").asLong() / 60.0;
        Trends trends = Trends.after(samples, from);
        Path png = replot.resolveSibling(replot.getFileName().toString().replaceFirst("\\.json$", "") + ".png");
        SoakPlot.write(png, title(parameters.path("devices").asInt(), parameters.path("rateMultiplier").asDouble(),
                Duration.ofSeconds(parameters.path("durationSeconds").asLong())), samples, from, trends.heap(), trends.resident());
        load.out().println("written: " + png);
        load.out().flush();
    }

    private static String title(int devices, double rateMultiplier, Duration duration) {
        return "fleetkit soak: " + devices + " devices, rate × " + fmt("%.0f", rateMultiplier) + ", " + DurationText.of(duration);
    }

    /** Samples until the duration is over: the first at one interval after all devices are online. */
    private void sample(ServerProcess server, Swarm swarm, List<SoakSample> samples, PrintWriter err) throws InterruptedException {
        long start = System.nanoTime();
        long rowsBefore = Long.parseLong(server.ask("rows", "ROWS"));
        long previous = start;
        swarm.metrics().sinceLastFold(); // PUBACKs of the start-up are not the soak's
        for (long next = start + sampleEvery.toNanos(); next <= start + duration.toNanos(); next += sampleEvery.toNanos()) {
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            long now = System.nanoTime();
            long rows = Long.parseLong(server.ask("rows", "ROWS"));
            Histogram puback = swarm.metrics().sinceLastFold().puback();
            String[] gc = server.ask("gc", "GC").split(" ");
            SoakSample s = new SoakSample((now - start) / 60e9, Long.parseLong(gc[0]) / MB, Long.parseLong(gc[1]), server.residentBytes() / MB,
                    ServerProcess.threadsOf(server.pid()), server.descriptors(), Long.parseLong(server.ask("backlog", "BACKLOG")),
                    (rows - rowsBefore) / ((now - previous) / 1e9), puback.getValueAtPercentile(50) / 1e6, puback.getValueAtPercentile(99) / 1e6,
                    swarm.metrics().count(LifecycleState.ONLINE), swarm.metrics().count(LifecycleState.GAVE_UP));
            samples.add(s);
            err.println(s.line());
            err.flush();
            rowsBefore = rows;
            previous = now;
        }
    }

    /** How the run ended: every device drained, and the rows the store holds against the telemetry acknowledged. */
    record Ending(long telemetryAcknowledged, long rows, long unacknowledged, double drainSeconds) {
    }

    /**
     * Stops new telemetry (the rate drops to one message in ~700 days), waits until every device's messages are
     * acknowledged, then until the store has caught up, and counts both sides.
     */
    private Ending drain(ServerProcess server, Swarm swarm, PrintWriter err) throws InterruptedException {
        err.println("stopping the telemetry and waiting for every message to be acknowledged and stored …");
        err.flush();
        long start = System.nanoTime();
        swarm.changeRate(0.0001);
        long deadline = start + Duration.ofMinutes(3).toNanos();
        long unacknowledged;
        do {
            Thread.sleep(200);
            unacknowledged = swarm.devices().stream().map(DeviceRunner::firmware)
                    .mapToLong(f -> f.messagesSent() - f.messagesAcknowledged()).sum();
        } while (unacknowledged > 0 && System.nanoTime() < deadline);
        long acknowledged = swarm.devices().stream().map(DeviceRunner::firmware).mapToLong(f -> f.telemetryAcknowledged()).sum();
        long rows;
        do {
            rows = Long.parseLong(server.ask("rows", "ROWS"));
            if (rows >= acknowledged) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return new Ending(acknowledged, rows, unacknowledged, (System.nanoTime() - start) / 1e9);
    }

    /** The fitted trends and what failed. */
    /** The fitted trends of heap after GC and of resident memory over the samples from {@code fromMinute} on (after the warm-up). */
    record Trends(LinearTrend heap, LinearTrend resident) {
        static Trends after(List<SoakSample> samples, double fromMinute) {
            List<SoakSample> measured = samples.stream().filter(s -> s.minute() >= fromMinute).toList();
            return new Trends(LinearTrend.fit(measured.stream().map(s -> new double[]{s.minute(), s.heapAfterGcMb()}).toList()),
                    LinearTrend.fit(measured.stream().map(s -> new double[]{s.minute(), s.residentMb()}).toList()));
        }
    }

    record Verdict(LinearTrend heap, LinearTrend resident, List<String> failures) {
    }

    Verdict judge(List<SoakSample> samples, Duration excluded, Ending ending) {
        Trends trends = Trends.after(samples, excluded.toSeconds() / 60.0);
        LinearTrend heap = trends.heap();
        LinearTrend resident = trends.resident();
        List<String> failures = new ArrayList<>();
        if (heap.slope() > heapGrowthLimit) {
            failures.add(String.format("heap after GC grows %.2f MB/min (limit %.2f)", heap.slope(), heapGrowthLimit));
        }
        if (resident.slope() > residentGrowthLimit) {
            failures.add(String.format("resident memory grows %.2f MB/min (limit %.2f)", resident.slope(), residentGrowthLimit));
        }
        int gaveUp = samples.stream().mapToInt(SoakSample::gaveUp).max().orElse(0);
        if (gaveUp > 0) {
            failures.add(gaveUp + " device(s) gave up");
        }
        if (ending.unacknowledged() > 0) {
            failures.add(ending.unacknowledged() + " message(s) still unacknowledged " + fmt("%.0f", ending.drainSeconds()) + " s after the load stopped");
        }
        if (ending.rows() != ending.telemetryAcknowledged()) {
            failures.add("the store holds " + ending.rows() + " telemetry rows, the devices saw " + ending.telemetryAcknowledged()
                    + " acknowledged (" + (ending.rows() < ending.telemetryAcknowledged() ? "lost: " : "extra: ")
                    + Math.abs(ending.rows() - ending.telemetryAcknowledged()) + ")");
        }
        return new Verdict(heap, resident, failures);
    }

    /** The report, and beside it the plot ({@code soak-<date>.png}). */
    private BenchReport report(List<SoakSample> samples, Duration excluded, Ending ending, Verdict verdict, Path results) {
        BenchReport report = new BenchReport("soak", "Soak (hub + backend under the swarm)", load.commandLine());
        Path png = results.resolve(report.stem() + ".png");
        SoakPlot.write(png, title(devices, rateMultiplier, duration), samples, excluded.toSeconds() / 60.0, verdict.heap(), verdict.resident());
        report.json().putObject("parameters").put("devices", devices).put("rateMultiplier", rateMultiplier)
                .put("durationSeconds", duration.toSeconds()).put("sampleEverySeconds", sampleEvery.toSeconds())
                .put("warmUpSeconds", excluded.toSeconds()).put("heapGrowthLimitMbPerMinute", heapGrowthLimit)
                .put("residentGrowthLimitMbPerMinute", residentGrowthLimit).put("serverJvm", String.join(" ", SERVER_MEMORY));
        var list = report.json().putArray("samples");
        samples.forEach(s -> s.writeTo(list.addObject()));
        report.json().putObject("trends").put("heapMbPerMinute", verdict.heap().slope()).put("residentMbPerMinute", verdict.resident().slope());
        report.json().putObject("ending").put("telemetryAcknowledged", ending.telemetryAcknowledged()).put("rows", ending.rows())
                .put("unacknowledged", ending.unacknowledged()).put("drainSeconds", ending.drainSeconds());
        var failed = report.json().putArray("failures");
        verdict.failures().forEach(failed::add);
        report.paragraph(devices + " thermostats (the firmware model on the swarm's Netty transport, this process) through DPS to the hub"
                + " + backend (its own JVM, " + String.join(" ", SERVER_MEMORY) + ", H2), telemetry every " + fmt("%.1f", 60 / rateMultiplier)
                + " s per device (" + fmt("%.0f", devices * rateMultiplier / 60) + " messages/s) for " + DurationText.of(duration)
                + " once all were online; a sample every " + sampleEvery.toSeconds() + " s. Trends are least-squares lines over the samples"
                + " after the first " + DurationText.of(excluded) + " (warm-up). Then the telemetry stops, every device drains its"
                + " unacknowledged messages, and the telemetry rows in the store are counted against the telemetry the devices saw"
                + " acknowledged. The full GC each sample takes for the heap figure stops the server for its pause, which lands in"
                + " the next interval's PUBACK latencies. Plot: `" + png.getFileName() + "`.");
        List<List<String>> rows = new ArrayList<>();
        for (SoakSample s : samples) {
            rows.add(row(fmt("%.1f", s.minute()), fmt("%.0f", s.heapAfterGcMb()), Long.toString(s.gcPauseMs()), fmt("%.0f", s.residentMb()),
                    Integer.toString(s.threads()), Integer.toString(s.descriptors()), Long.toString(s.backlog()), fmt("%.0f", s.rowsPerSecond()),
                    fmt("%.1f", s.pubackP50Ms()), fmt("%.1f", s.pubackP99Ms()), Integer.toString(s.online()), Integer.toString(s.gaveUp())));
        }
        report.table(row("minute", "heap after GC MB", "its pause ms", "resident MB", "threads", "descriptors", "store backlog", "rows/s",
                "PUBACK p50 ms", "p99 ms", "online", "gave up"), rows);
        report.paragraph(String.format("Trends after the warm-up: heap %+.2f MB/min (limit %.2f), resident %+.2f MB/min (limit %.2f)."
                        + " End: %,d telemetry messages acknowledged, %,d rows stored, %d unacknowledged after %.1f s of draining. %s",
                verdict.heap().slope(), heapGrowthLimit, verdict.resident().slope(), residentGrowthLimit, ending.telemetryAcknowledged(),
                ending.rows(), ending.unacknowledged(), ending.drainSeconds(),
                verdict.failures().isEmpty() ? "**Passed.**" : "**Failed:** " + String.join("; ", verdict.failures()) + "."));
        return report;
    }

    /** Durations as the options take them: 30m, 2m, 90s. */
    static final class DurationText {
        private DurationText() {
        }

        static String of(Duration d) {
            long s = d.toSeconds();
            return s % 3600 == 0 && s > 0 ? s / 3600 + " h" : s % 60 == 0 && s > 0 ? s / 60 + " min" : s + " s";
        }
    }
}

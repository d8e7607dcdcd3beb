package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.firmware.swarm.SwarmConfig;
import io.fleetkit.firmware.swarm.SwarmReport;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code fleetkit sim}: a swarm of simulated devices against a hub (the local one, or Azure). */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Run a swarm of simulated devices through the whole lifecycle: DPS, hub, telemetry, direct methods.",
                "Device identities come from the PKI directory; missing ones are issued. A progress line every 5 s,",
                "a summary at the end; the exit status is 1 when any device gave up."})
final class SimCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pki", paramLabel = "DIR", description = "the PKI (devices are taken from DIR/devices); required unless --combine")
    Path pki;

    @Option(names = "--combine", paramLabel = "SUMMARY", split = ",",
            description = "instead of running, combine the JSON summaries of swarm processes that ran together (a,b,c)")
    List<Path> combine;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "100", description = "how many devices (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "thermostat",
            description = "a built-in device model (thermostat, smart-plug) or a model file (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8883",
            description = "the DPS endpoint; the hub is the one DPS assigns (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--id-scope", paramLabel = "SCOPE", defaultValue = "0ne00000001", description = "DPS id scope (default: ${DEFAULT-VALUE})")
    String idScope;

    @Option(names = "--ramp", paramLabel = "PER_SECOND", defaultValue = "500", description = "devices started per second (default: ${DEFAULT-VALUE})")
    double ramp;

    @Option(names = "--rate-multiplier", paramLabel = "X", defaultValue = "1",
            description = "send telemetry X times as often as the model says (default: ${DEFAULT-VALUE})")
    double rateMultiplier;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "60s",
            description = "how long to run, e.g. 90s or 10m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--event-loops", paramLabel = "N", description = "Netty event loops (default: the number of cores)")
    Integer eventLoops;

    @Option(names = "--source-addresses", paramLabel = "N", defaultValue = "0",
            description = "connect from 127.0.0.2 … 127.0.0.(N+1) in turn, past ~28,000 connections to one port (default: the system's choice)")
    int sourceAddresses;

    @Option(names = "--max-starting", paramLabel = "N", defaultValue = "500",
            description = "at most N devices provisioning or connecting at once; the ramp waits (0 = no limit; default: ${DEFAULT-VALUE})")
    int maxStarting;

    @Option(names = "--max-failures", paramLabel = "N", defaultValue = "20",
            description = "consecutive failures before a device gives up (0 = never; default: ${DEFAULT-VALUE})")
    int maxFailures;

    @Option(names = "--overrides", paramLabel = "FILE",
            description = "method overrides, JSON: {\"reboot\": {\"status\": 500, \"payload\": {…}, \"delayMs\": 2000, \"noAnswer\": false, \"errorRate\": 0.1}}")
    Path overridesFile;

    @Option(names = "--embedded-hub", description = "run the hub + DPS in this process (its own free port) instead of using --target")
    boolean embeddedHub;

    /** A hub the caller runs (the demo's backend): used like --embedded-hub, left running afterwards. */
    EmbeddedHub providedHub;

    /** Counted down to stop the run early, as Ctrl-C does (the demo's tests). */
    CountDownLatch stop = new CountDownLatch(1);

    /** The devices' flash as --flash gave it at the start (the demo's swarm grows with it too). */
    Map<DeviceId, NonVolatileState> flash = Map.of();

    /** Told of the swarm once it runs, and told null before it stops (the demo hands it to the dashboard). */
    java.util.function.Consumer<Swarm> swarmListener = s -> { };

    @Option(names = "--method-rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "call a direct method on random online devices this often and measure round trips (needs --embedded-hub)")
    double methodRate;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "getDiagnostics", description = "the method --method-rate calls (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--summary", paramLabel = "FILE", description = "write the JSON summary here")
    Path summaryFile;

    @Option(names = "--flash", paramLabel = "FILE",
            description = "keep the devices' flash (assigned hub, telemetry interval, next sequence number) in FILE between runs, "
                    + "as real devices do: the next run goes straight to the hub and continues the numbering (default: from the factory)")
    Path flashFile;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        if (combine != null && !combine.isEmpty()) {
            combineSummaries(cli);
            return;
        }
        if (pki == null) {
            throw new CommandLine.ParameterException(cli, "Missing required option: '--pki=DIR' (or give --combine)");
        }
        if (devices < 1 || devices > 200_000) {
            throw new CommandLine.ParameterException(cli, "--devices must be 1–200000, was " + devices);
        }
        if (!(rateMultiplier > 0 && rateMultiplier <= 1000)) {
            throw new CommandLine.ParameterException(cli, "--rate-multiplier must be above 0 and at most 1000, was " + rateMultiplier);
        }
        if (!(ramp > 0)) {
            throw new CommandLine.ParameterException(cli, "--ramp must be positive, was " + ramp);
        }
        if (sourceAddresses < 0 || sourceAddresses > 250) {
            throw new CommandLine.ParameterException(cli, "--source-addresses must be 0–250, was " + sourceAddresses);
        }
        if (methodRate < 0 || methodRate > 10_000) {
            throw new CommandLine.ParameterException(cli, "--method-rate must be 0–10000, was " + methodRate);
        }
        if (methodRate > 0 && !embeddedHub && providedHub == null) {
            throw new CommandLine.ParameterException(cli, "--method-rate needs --embedded-hub (a separate 'fleetkit serve' takes method calls"
                    + " on its REST API: POST /api/v1/devices/{id}/methods/{name})");
        }
        MethodName methodName;
        try {
            methodName = MethodName.of(method);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--method: " + e.getMessage());
        }
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(cli, "--target must be HOST:PORT, was '" + target + "'");
        }
        String host = target.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cli, "--target: '" + target.substring(colon + 1) + "' is not a port number");
        }
        DeviceModel deviceModel;
        IdScope scope;
        try {
            deviceModel = DeviceModels.resolve(model);
            scope = IdScope.of(idScope);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        MethodOverrides overrides = readOverrides(cli);
        try {
            flash = flashFile == null ? Map.of() : FlashFile.read(flashFile);
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(cli, "--flash: " + e.getMessage());
        }
        PkiDirectory dir = PkiDirectory.load(pki);
        List<DeviceIdentity> identities = identities(dir, err);
        EmbeddedHub hub = providedHub;
        if (hub == null && embeddedHub) {
            hub = EmbeddedHub.builder(dir).port(0).idScope(scope).start();
        }
        if (hub != null) {
            host = "127.0.0.1";
            port = hub.port();
            target = host + ":" + port + " (in this process)";
        }

        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < sourceAddresses; i++) {
            try {
                sources.add(InetAddress.getByName("127.0.0." + (i + 2)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        SwarmConfig config = new SwarmConfig(deviceModel, host, port, scope, ramp, rateMultiplier,
                eventLoops == null ? Runtime.getRuntime().availableProcessors() : eventLoops, sources, overrides, maxFailures, seed, maxStarting);
        out.printf("swarm: %d %s devices → %s (id scope %s), ramp %.0f/s, telemetry ×%s, for %s%n", devices, deviceModel.id(),
                target, scope, ramp, rateMultiplier, duration);
        out.flush();
        CountDownLatch reported = new CountDownLatch(1);
        // Ctrl-C: stop the swarm, and keep the JVM alive until the summary is printed
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                reported.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fleetkit-sim-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        Duration allOnline = null;
        ObjectNode summary;
        MethodLoad methods = null;
        List<NettyDevice> ran = List.of();
        try (Swarm swarm = Swarm.start(config, identities, id -> Optional.ofNullable(flash.get(id)), dir.trustAnchors(), Clock.systemUTC())) {
            ran = swarm.devices();
            var m = swarm.metrics();
            swarmListener.accept(swarm);
            if (methodRate > 0) {
                methods = MethodLoad.start(hub.devices(), swarm, methodName, methodRate, seed);
            }
            long[] last = new long[4]; // registrations, connects, sent, acked at the last progress line
            long lastTick = start;
            while (true) {
                long left = duration.toNanos() - (System.nanoTime() - start);
                if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int active = swarm.active(); // the dashboard can resize the demo's swarm
                if (allOnline == null && active > 0 && m.count(LifecycleState.ONLINE) == active) {
                    allOnline = Duration.ofNanos(System.nanoTime() - start);
                    err.printf("all %d devices online after %.1f s%n", active, allOnline.toMillis() / 1000.0);
                }
                long now = System.nanoTime();
                if (now - lastTick >= TimeUnit.SECONDS.toNanos(5)) {
                    long[] current = {m.registrations(), m.connects(), m.messagesSent(), m.messagesAcknowledged()};
                    double seconds = (now - lastTick) / 1e9;
                    var rates = new SwarmReport.Rates((current[0] - last[0]) / seconds, (current[1] - last[1]) / seconds,
                            (current[2] - last[2]) / seconds, (current[3] - last[3]) / seconds);
                    err.println(SwarmReport.progress(m, active, Duration.ofNanos(now - start), rates));
                    err.flush();
                    last = current;
                    lastTick = now;
                }
            }
            swarmListener.accept(null);
            summary = SwarmReport.summary(m, swarm.active(), Duration.ofNanos(System.nanoTime() - start), allOnline);
            // measured while every device is still connected: its firmware, connections, TLS state and identity
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            summary.put(hub == null ? "swarmHeapBytesPerDevice" : "swarmAndHubHeapBytesPerDevice", heap / Math.max(1, swarm.size()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reported.countDown();
            return;
        } finally {
            if (methods != null) {
                methods.close();
            }
            if (hub != null && hub != providedHub) {
                hub.close();
            }
            saveFlash(ran, err);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C
            }
        }
        try {
            out.print(SwarmReport.text(summary));
            writeSummary(summary, out);
        } finally {
            out.flush();
            reported.countDown();
        }
        if (summary.get("gaveUp").asInt() > 0) {
            throw new GaveUp(summary.get("gaveUp").asInt() + " device(s) gave up; see the failures above");
        }
    }

    /** The devices are off now: what their flash holds is final. */
    private void saveFlash(List<NettyDevice> devices, PrintWriter err) {
        if (flashFile == null || devices.isEmpty()) {
            return;
        }
        try {
            FlashFile.write(flashFile, devices);
        } catch (java.io.IOException e) {
            err.println("could not keep the devices' flash in " + flashFile + " (the next run starts from the factory): " + e.getMessage());
        }
    }

    private void combineSummaries(CommandLine cli) {
        List<ObjectNode> parts = new ArrayList<>();
        for (Path p : combine) {
            try {
                JsonNode n = JSON.readTree(Files.readAllBytes(p));
                if (!(n instanceof ObjectNode o)) {
                    throw new CommandLine.ParameterException(cli, "--combine: " + p + " is not a summary (expected a JSON object)");
                }
                parts.add(o);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cli, "--combine: cannot read " + p + ": " + e.getMessage());
            }
        }
        ObjectNode combined;
        try {
            combined = SwarmReport.combine(parts);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--combine: " + e.getMessage());
        }
        cli.getOut().print(SwarmReport.text(combined));
        writeSummary(combined, cli.getOut());
        if (combined.get("gaveUp").asInt() > 0) {
            throw new GaveUp(combined.get("gaveUp").asInt() + " device(s) gave up");
        }
    }

    private void writeSummary(ObjectNode summary, PrintWriter out) {
        if (summaryFile != null) {
            try {
                Files.writeString(summaryFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
                out.println("summary written to " + summaryFile);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + summaryFile + ": " + e.getMessage(), e);
            }
        }
        out.flush();
    }

    /** A run in which devices gave up: exit status 1, the summary already printed. */
    static final class GaveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GaveUp(String message) {
            super(message);
        }
    }

    private List<DeviceIdentity> identities(PkiDirectory dir, PrintWriter err) {
        List<RegistrationId> wanted = FactoryBatch.ids("dev-", 1, devices);
        Set<RegistrationId> existing = new HashSet<>(dir.deviceIds());
        List<RegistrationId> missing = wanted.stream().filter(id -> !existing.contains(id)).toList();
        if (!missing.isEmpty()) {
            err.printf("issuing %d missing device identities into %s%n", missing.size(), dir.devicesDir());
            FactoryBatch.issueInto(dir, new CertificateIssuer(), missing, KeyAlgorithm.EC_P256, Runtime.getRuntime().availableProcessors(),
                    new Progress(err, "issuing")::update);
        }
        Progress loading = new Progress(err, "loading identities");
        List<DeviceIdentity> out = new ArrayList<>(devices);
        for (RegistrationId id : wanted) {
            out.add(dir.loadDevice(id));
            loading.update(out.size(), devices);
        }
        return out;
    }

    private MethodOverrides readOverrides(CommandLine cli) {
        MethodOverrides o = new MethodOverrides();
        if (overridesFile == null) {
            return o;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(overridesFile));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cli, "--overrides: cannot read " + overridesFile + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CommandLine.ParameterException(cli, "--overrides: " + overridesFile + " must hold a JSON object of method name → override");
        }
        root.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            try {
                o.set(MethodName.of(e.getKey()), new MethodOverride(
                        v.has("status") ? OptionalInt.of(v.get("status").asInt()) : OptionalInt.empty(),
                        v.has("payload") ? Optional.of(v.get("payload").toString()) : Optional.empty(),
                        Duration.ofMillis(v.path("delayMs").asLong(0)), v.path("noAnswer").asBoolean(false), v.path("errorRate").asDouble(0)));
            } catch (IllegalArgumentException | ProtocolException bad) {
                throw new CommandLine.ParameterException(cli, "--overrides: " + overridesFile + " at '" + e.getKey() + "': " + bad.getMessage());
            }
        });
        return o;
    }
}

package io.fleetkit.backend;

import io.fleetkit.backend.api.ApiServer;
import io.fleetkit.backend.api.DevTokenIssuer;
import io.fleetkit.backend.api.HttpLimits;
import io.fleetkit.backend.api.SwarmApi;
import io.fleetkit.backend.api.SwarmControl;
import io.fleetkit.backend.api.TokenVerifier;
import io.fleetkit.backend.capture.Capture;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.DeviceStateHandler;
import io.fleetkit.backend.processing.OwnershipHandler;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.processing.TelemetryStoreHandler;
import io.fleetkit.backend.routing.Route;
import io.fleetkit.backend.routing.RouteSource;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.store.ClaimStore;
import io.fleetkit.backend.store.ConsumerOffsets;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.StoreDeviceRegistry;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Retention;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.kafka.KafkaEngine;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.backend.stream.kafka.KafkaStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.Consumer;

/**
 * The whole local platform in one object: the embedded hub + DPS, routing into durable streams
 * under {@code {data}/streams}, the built-in processors into the store, optional capture, and the
 * REST API. What {@code fleetkit serve} and {@code fleetkit demo} run, and what end-to-end tests start.
 * <pre>
 * device ─▶ hub ─▶ RoutingSink ─▶ telemetry ──▶ store (telemetry rows)     [, capture]
 *                              ├▶ lifecycle ──▶ device state, ownership claims
 *                              ├▶ alerts
 *                              └▶ events (fallback)
 * </pre>
 */
public final class Backend implements AutoCloseable {
    /** The default routes: telemetry apart from the seldom-sent lifecycle messages and connection events. */
    public static final List<Route> DEFAULT_ROUTES = List.of(
            Route.of("telemetry", RouteSource.DEVICE_MESSAGES, "type = 'telemetry'", "telemetry"),
            Route.of("lifecycle", RouteSource.DEVICE_MESSAGES, "type = 'lifecycle' OR type = 'presence'", "lifecycle"),
            Route.of("alerts", RouteSource.DEVICE_MESSAGES, "type = 'alert'", "alerts"),
            Route.of("connections", RouteSource.DEVICE_LIFECYCLE_EVENTS, "true", "lifecycle"));
    /**
     * What capture archives of a telemetry message by default: the schema's scalars — version, type, sequence number, device
     * time — and each reading's value (scalars only: an object inside a reading, or inside {@code seq}, is never archived).
     * Readings are named by the device model; a deployment whose models could carry personal data in a reading lists the
     * readings it wants instead ({@code readings.temperature}, …).
     */
    public static final Set<String> CAPTURED_BODY_FIELDS = Set.of("v", "type", "seq", "ts", "readings.*");
    public static final int PARTITIONS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> closeInOrder;
    private final EmbeddedHub hub;
    private final ApiServer api;
    private final Database database;
    private final Map<String, Stream> streams;
    private final Map<String, StreamProcessor> processors;
    private final DevTokenIssuer devIssuer;
    private final RoutingSink sink;
    private final AtomicReference<SwarmControl> swarm;

    private Backend(List<AutoCloseable> closeInOrder, EmbeddedHub hub, ApiServer api, Database database, Map<String, Stream> streams,
                    Map<String, StreamProcessor> processors, DevTokenIssuer devIssuer, RoutingSink sink, AtomicReference<SwarmControl> swarm) {
        this.closeInOrder = closeInOrder;
        this.hub = hub;
        this.api = api;
        this.database = database;
        this.streams = streams;
        this.processors = processors;
        this.devIssuer = devIssuer;
        this.sink = sink;
        this.swarm = swarm;
    }

    /** Lets the API and dashboard drive a swarm that runs in this process (the demo's); null detaches it. */
    public void attachSwarm(SwarmControl control) {
        swarm.set(control);
    }

    public static Builder builder(PkiDirectory pki, Path dataDir) {
        return new Builder(pki, dataDir);
    }

    public EmbeddedHub hub() {
        return hub;
    }

    public int httpPort() {
        return api.port();
    }

    public Database database() {
        return database;
    }

    /** The endpoints' streams by name: telemetry, lifecycle, alerts, events. */
    public Map<String, Stream> streams() {
        return streams;
    }

    /** The processors by consumer group: the built-in store, device-state, ownership, and any added with {@link Builder#processor}. */
    public Map<String, StreamProcessor> processors() {
        return processors;
    }

    /** The dev token issuer whose JWKS the API trusts. */
    public DevTokenIssuer devIssuer() {
        return devIssuer;
    }

    /** Messages accepted by the hub that no route and no fallback took. */
    public long droppedMessages() {
        return sink.dropped();
    }

    /** Whether every processor has handled everything in its stream, waiting up to {@code timeout}. */
    public boolean awaitProcessed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (StreamProcessor p : processors.values()) {
            if (!p.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Stops accepting (API, hub), then stops the processors, capture, the streams (flushed) and the store. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable c : closeInOrder) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("stopping the backend failed: " + e.getMessage(), e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Options, with local defaults: H2 under the data directory, hub on 8883, HTTP on 8080, capture off. */
    public static final class Builder {
        private final PkiDirectory pki;
        private final Path dataDir;
        private String httpBind = "127.0.0.1";
        private int httpPort = 8080;
        private HttpLimits httpLimits = HttpLimits.defaults();
        private Database database;
        private List<Route> routes = DEFAULT_ROUTES;
        private boolean fallback = true;
        private TokenVerifier tokens;
        private final Map<String, CaptureConfig> captures = new LinkedHashMap<>();
        private Retention retention = Retention.ofAge(Duration.ofDays(7));
        private Consumer<EmbeddedHub.Builder> hubOptions = b -> { };
        private Clock clock = Clock.systemUTC();
        private final List<CustomProcessor> customProcessors = new ArrayList<>();
        private KafkaSettings kafka;

        private record CustomProcessor(String endpoint, String group, DeviceMessageHandler handler) {
        }

        private Builder(PkiDirectory pki, Path dataDir) {
            this.pki = Objects.requireNonNull(pki, "pki");
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** Hub and DPS options (port, throttling, enrollments …); the sink is the backend's own. */
        public Builder hub(Consumer<EmbeddedHub.Builder> options) {
            this.hubOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder http(String bind, int port) {
            this.httpBind = Objects.requireNonNull(bind, "bind");
            this.httpPort = port;
            return this;
        }

        /** Bounds on REST clients: request deadline, connection caps ({@link HttpLimits#defaults()} unless given). */
        public Builder httpLimits(HttpLimits limits) {
            this.httpLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The store (the backend closes it); an H2 file database under the data directory when not given. */
        public Builder database(Database database) {
            this.database = database;
            return this;
        }

        public Builder routes(List<Route> routes, boolean fallback) {
            this.routes = List.copyOf(routes);
            this.fallback = fallback;
            return this;
        }

        /** How API tokens are checked; by default against the dev issuer kept in the data directory. */
        public Builder tokens(TokenVerifier verifier) {
            this.tokens = verifier;
            return this;
        }

        /** Archives an endpoint's stream (e.g. "telemetry") as Avro files; no endpoint is captured unless asked. */
        public Builder capture(String endpoint, CaptureConfig config) {
            captures.put(Objects.requireNonNull(endpoint, "endpoint"), Objects.requireNonNull(config, "config"));
            return this;
        }

        /**
         * Your own handler on an endpoint's stream, as consumer group {@code group} (with its own
         * checkpoints): at least once, in order per device, started and stopped with the backend.
         */
        public Builder processor(String endpoint, String group, DeviceMessageHandler handler) {
            customProcessors.add(new CustomProcessor(Objects.requireNonNull(endpoint, "endpoint"), Objects.requireNonNull(group, "group"),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** The clock claims are timed by (tests move it past a claim window). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The routing endpoints' streams as topics on Kafka or Event Hubs instead of the file log under the data directory
         * (null: the file log). The hub's ingest budget is then held to a quarter of the producer's buffer, so a slow or absent
         * broker pauses devices instead of filling it.
         */
        public Builder kafka(KafkaSettings settings) {
            this.kafka = settings;
            return this;
        }

        /** How long the file log keeps records (Kafka topics keep theirs by the broker's retention). */
        public Builder retention(Retention retention) {
            this.retention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        public Backend start() {
            List<AutoCloseable> started = new ArrayList<>();
            try {
                return start(started);
            } catch (RuntimeException e) {
                java.util.Collections.reverse(started);
                for (AutoCloseable c : started) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        private Backend start(List<AutoCloseable> started) {
            Database db = database != null ? database : Database.h2(dataDir.resolve("store"));
            started.add(db);
            Router router = new Router(routes, fallback);
            Map<String, Stream> streams = new LinkedHashMap<>();
            KafkaEngine engine = null;
            if (kafka != null) {
                Map<String, Integer> partitions = new LinkedHashMap<>();
                router.endpoints().forEach(endpoint -> partitions.put(endpoint, PARTITIONS));
                engine = KafkaEngine.open(kafka, partitions);
                started.add(engine);
                streams.putAll(engine.streams());
            } else {
                for (String endpoint : router.endpoints()) {
                    FileStream s = FileStream.open(dataDir.resolve("streams").resolve(endpoint), endpoint, PARTITIONS, 64L << 20, retention);
                    streams.put(endpoint, s);
                    started.add(s);
                }
            }
            RoutingSink sink = new RoutingSink(router, streams);
            TelemetryStore telemetry = new TelemetryStore(db);
            DeviceStateStore devices = new DeviceStateStore(db);
            ClaimStore claimStore = new ClaimStore(db);

            EmbeddedHub.Builder hubBuilder = EmbeddedHub.builder(pki).registry(new StoreDeviceRegistry(db));
            hubOptions.accept(hubBuilder);
            if (engine != null) {
                hubBuilder.capIngestBudget(engine.bufferBytes() / 4);
            }
            EmbeddedHub hub = hubBuilder.sink(sink).start();
            started.add(hub);
            hub.devices().addConnectionListener(sink.connectionEvents());
            ClaimService claims = new ClaimService(hub.devices(), claimStore, devices, clock);

            Map<String, StreamProcessor> processors = new LinkedHashMap<>();
            if (streams.containsKey("telemetry")) {
                started.add(processors.computeIfAbsent("store",
                        g -> StreamProcessor.start(streams.get("telemetry"), g, new TelemetryStoreHandler(telemetry, new ConsumerOffsets(db), g))));
            }
            if (streams.containsKey("lifecycle")) {
                started.add(processors.computeIfAbsent("device-state",
                        g -> StreamProcessor.start(streams.get("lifecycle"), g, new DeviceStateHandler(devices, new ConsumerOffsets(db), g))));
                started.add(processors.computeIfAbsent("ownership",
                        g -> StreamProcessor.start(streams.get("lifecycle"), g, new OwnershipHandler(claims))));
            }
            for (CustomProcessor c : customProcessors) {
                Stream stream = streams.get(c.endpoint());
                if (stream == null) {
                    throw new IllegalArgumentException("processor '" + c.group() + "': no endpoint '" + c.endpoint() + "'; the routes have "
                            + streams.keySet());
                }
                if (processors.containsKey(c.group())) {
                    throw new IllegalArgumentException("processor '" + c.group() + "': the consumer group is taken");
                }
                started.add(processors.computeIfAbsent(c.group(), g -> StreamProcessor.start(stream, g, c.handler())));
            }
            List<Capture> capturing = new ArrayList<>();
            for (Map.Entry<String, CaptureConfig> c : captures.entrySet()) {
                Stream stream = streams.get(c.getKey());
                if (stream == null) {
                    throw new IllegalArgumentException("capture: no endpoint '" + c.getKey() + "'; the routes have " + streams.keySet());
                }
                Capture capture = Capture.start(stream, c.getValue());
                started.add(capture);
                capturing.add(capture);
            }

            DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(dataDir.resolve("dev-issuer.jwk"));
            TokenVerifier verifier = tokens != null ? tokens
                    : TokenVerifier.forKeys(issuer.publicKeys(), DevTokenIssuer.ISSUER, DevTokenIssuer.AUDIENCE);
            PrometheusMeterRegistry metrics = metrics(hub, sink, streams, processors);
            Map<String, Supplier<Health>> health = new LinkedHashMap<>();
            health.put("hub", () -> hub.gateway().health());
            health.put("store", () -> db.health(Duration.ofSeconds(2)));
            if (engine != null) {
                health.put("streams.kafka", engine::health);
            }
            streams.forEach((name, stream) -> health.put("stream." + name, stream::health));
            processors.forEach((group, processor) -> health.put("processor." + group, processor::health));
            capturing.forEach(capture -> health.put("capture." + capture.streamName(), capture::health));
            AtomicReference<SwarmControl> swarm = new AtomicReference<>();
            ApiServer api = ApiServer.start(httpBind, httpPort, new ApiServer.Services(verifier, tokens == null ? issuer.publicKeys() : null,
                    devices, telemetry, claimStore, claims, hub.devices(), metrics, health, () -> fleet(hub, streams, processors, sink, swarm.get()),
                    hub.dps(), swarm::get), httpLimits);

            // stop taking work first, then drain what consumes it, then what stores it
            List<AutoCloseable> closeOrder = new ArrayList<>();
            closeOrder.add(api);
            closeOrder.add(hub);
            closeOrder.addAll(processors.values());
            closeOrder.addAll(capturing);
            closeOrder.addAll(streams.values());
            if (engine != null) {
                closeOrder.add(engine);
            }
            closeOrder.add(db);
            return new Backend(closeOrder, hub, api, db, java.util.Collections.unmodifiableMap(streams), processors, issuer, sink, swarm);
        }

        private static PrometheusMeterRegistry metrics(EmbeddedHub hub, RoutingSink sink, Map<String, Stream> streams,
                                                       Map<String, StreamProcessor> processors) {
            PrometheusMeterRegistry m = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(m);
            Gauge.builder("fleetkit.hub.connected.devices", hub.devices(), h -> h.connectedCount()).register(m);
            Gauge.builder("fleetkit.hub.ingest.held.bytes", hub.gateway().ingestBudget(), b -> b.held())
                    .description("device-to-cloud payload bytes handed to the streams and not yet acknowledged").register(m);
            Gauge.builder("fleetkit.hub.ingest.paused.connections", hub.gateway().ingestBudget(), b -> b.pausedConnections())
                    .description("connections not read from until the ingest budget has room").register(m);
            Gauge.builder("fleetkit.gateway.pending.connections", hub.gateway(), g -> g.pendingConnections())
                    .description("connections accepted and not yet past CONNACK").register(m);
            Gauge.builder("fleetkit.gateway.refused.at.accept", hub.gateway(), g -> g.refusedAtAccept())
                    .description("connections closed at accept: too many pending, overall or from one address").register(m);
            var refusals = hub.gateway().refusalLog();
            refusals.onNewKind(kind -> Gauge.builder("fleetkit.gateway.refusals", refusals, r -> r.count(kind)).tag("kind", kind)
                    .description("connections and requests the gateway refused, by kind (a fixed set)").register(m));
            Gauge.builder("fleetkit.hub.c2d.completed", hub.cloudToDevice(), q -> q.completed()).register(m);
            Gauge.builder("fleetkit.hub.c2d.expired", hub.cloudToDevice(), q -> q.expired()).register(m);
            Gauge.builder("fleetkit.hub.c2d.dead.lettered", hub.cloudToDevice(), q -> q.deadLettered()).register(m);
            Gauge.builder("fleetkit.routing.dropped.messages", sink, RoutingSink::dropped).register(m);
            streams.forEach((name, s) -> Gauge.builder("fleetkit.stream.records", s, Backend::recordsIn).tag("stream", name).register(m));
            streams.forEach((name, s) -> {
                if (s instanceof KafkaStream k) {
                    Gauge.builder("fleetkit.stream.append.failures", k, KafkaStream::failedAppends).tag("stream", name)
                            .description("appends the broker did not acknowledge (the device got no PUBACK and sends again)").register(m);
                }
            });
            processors.forEach((group, p) -> {
                Gauge.builder("fleetkit.processor.handled", p, StreamProcessor::handled).tag("group", group).register(m);
                Gauge.builder("fleetkit.processor.failures", p, StreamProcessor::failures).tag("group", group).register(m);
                Gauge.builder("fleetkit.processor.undecodable", p, StreamProcessor::undecodable).tag("group", group).register(m);
                Gauge.builder("fleetkit.processor.backlog", p, StreamProcessor::backlog).tag("group", group)
                        .description("records appended to the group's stream and not yet handled").register(m);
            });
            Gauge.builder("fleetkit.dps.throttled", hub.throttles(), t -> t.counters().dpsThrottled()).register(m);
            return m;
        }
    }

    /** The fleet at a glance, for the dashboard: counts only (rates are differences of two snapshots). */
    static ObjectNode fleet(EmbeddedHub hub, Map<String, Stream> streams, Map<String, StreamProcessor> processors, RoutingSink sink,
                            SwarmControl swarm) {
        ObjectNode n = JSON.createObjectNode().put("time", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString())
                .put("devicesRegistered", hub.registry().count()).put("devicesConnected", hub.devices().connectedCount());
        ObjectNode records = n.putObject("streamRecords");
        streams.forEach((name, s) -> records.put(name, recordsIn(s)));
        ObjectNode handled = n.putObject("processed");
        processors.forEach((group, p) -> handled.put(group, p.handled()));
        var t = hub.throttles().counters();
        n.putObject("throttled").put("dps429", t.dpsThrottled()).put("connectsDelayed", t.connectsDelayed())
                .put("connectsRefused", t.connectsRefused()).put("sendsDelayed", t.sendsDelayed()).put("sendsRefused", t.sendsRefused());
        n.put("throttleProfile", hub.throttles().profile().name());
        ObjectNode errors = n.putObject("processingFailures");
        processors.forEach((group, p) -> errors.put(group, p.failures() + p.undecodable()));
        n.put("droppedMessages", sink.dropped()); // accepted, but no route took them
        StreamProcessor store = processors.get("store");
        if (store != null) {
            ObjectNode e2e = n.putObject("endToEndMs"); // hub accepted → telemetry row stored
            store.latency().percentiles().forEach(e2e::put);
        }
        if (swarm != null) {
            n.set("swarm", SwarmApi.json(swarm.status()));
        }
        return n;
    }

    /** Records held by a stream (from its retained start to its end), over all partitions. */
    public static long recordsIn(Stream s) {
        long n = 0;
        for (int p = 0; p < s.partitions(); p++) {
            n += s.endOffset(p) - s.startOffset(p);
        }
        return n;
    }
}

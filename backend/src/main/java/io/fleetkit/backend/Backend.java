package io.fleetkit.backend;

import io.fleetkit.backend.api.ApiServer;
import io.fleetkit.backend.api.DevTokenIssuer;
import io.fleetkit.backend.serviceapi.ServiceApiServer;
import io.fleetkit.backend.serviceapi.SharedAccessPolicies;
import io.fleetkit.backend.admission.HttpLimits;
import io.fleetkit.backend.api.SwarmControl;
import io.fleetkit.backend.api.TokenVerifier;
import io.fleetkit.backend.cluster.ClusterDeviceCommands;
import io.fleetkit.backend.cluster.ClusterNode;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.dps.HubAllocation;
import io.fleetkit.backend.gateway.MqttDeviceCommands;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.store.ClusterStore;
import io.fleetkit.backend.store.StoreCloudToDeviceQueue;
import io.fleetkit.backend.store.StoreTwins;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.backend.capture.Capture;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.backend.processing.DecodedMessages;
import io.fleetkit.backend.processing.DeviceMessageHandler;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.routing.Route;
import io.fleetkit.backend.routing.RouteSource;
import io.fleetkit.backend.routing.Router;
import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.store.ClaimStore;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.StoreDeviceRegistry;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.FileStream;
import io.fleetkit.backend.stream.Retention;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.kafka.KafkaEngine;
import io.fleetkit.backend.stream.kafka.KafkaSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private final DeviceCommands commands;
    private final ClusterNode node;
    private final ApiServer api;
    private final ServiceApiServer serviceApi;
    private final String serviceApiUnavailable;
    private final Database database;
    private final Map<String, Stream> streams;
    private final Map<String, StreamProcessor> processors;
    private final DevTokenIssuer devIssuer;
    private final RoutingSink sink;
    private final AtomicReference<SwarmControl> swarm;

    private Backend(List<AutoCloseable> closeInOrder, EmbeddedHub hub, DeviceCommands commands, ClusterNode node, ApiServer api,
                    ServiceApiServer serviceApi, String serviceApiUnavailable, Database database, Map<String, Stream> streams,
                    Map<String, StreamProcessor> processors, DevTokenIssuer devIssuer, RoutingSink sink, AtomicReference<SwarmControl> swarm) {
        this.closeInOrder = closeInOrder;
        this.hub = hub;
        this.commands = commands;
        this.node = node;
        this.api = api;
        this.serviceApi = serviceApi;
        this.serviceApiUnavailable = serviceApiUnavailable;
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

    /** The hub and DPS of this process; null in a cluster's backend process ({@code --role backend}). */
    public EmbeddedHub hub() {
        return hub;
    }

    /** The device-command port: this process's hub, or in a cluster the node that holds each device's connection. */
    public DeviceCommands commands() {
        return commands;
    }

    /** This process as a node of a hub cluster; null when it runs alone. */
    public ClusterNode cluster() {
        return node;
    }

    public int httpPort() {
        return api.port();
    }

    /** The port of IoT Hub's service API, or -1 when it is not served ({@link Builder#serviceApi}). */
    public int serviceApiPort() {
        return serviceApi == null ? -1 : serviceApi.port();
    }

    /** Why the service API asked for could not be served (its port taken), or null. */
    public String serviceApiUnavailable() {
        return serviceApiUnavailable;
    }

    /** The service connection string of a shared access policy (e.g. {@code iothubowner}), as the official service SDKs take it. */
    public String serviceConnectionString(String policy) {
        if (serviceApi == null) {
            throw new IllegalStateException("the service API is not served (Backend.Builder#serviceApi)");
        }
        return serviceApi.connectionString(policy);
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
        private ClusterNode.Options cluster;
        private int servicePort = -1;
        private List<String> serviceHostNames;
        private boolean serviceRequired = true;

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

        /**
         * Runs this process as a node of a hub cluster (null: alone). The cluster's shared state is in the store, which must then
         * be PostgreSQL, and its streams on Kafka; hub nodes share the hub's port ({@code SO_REUSEPORT}).
         */
        public Builder cluster(ClusterNode.Options options) {
            this.cluster = options;
            return this;
        }

        /**
         * Serves IoT Hub's service API over HTTPS on {@code port} (443 for the official service SDKs; 0 for a free port; -1,
         * the default, for none), for tokens of the hub's shared access policies kept in the data directory.
         *
         * @param hostNames the names its tokens may be for; null for the hub's host names
         * @param required  whether a port that cannot be bound stops the start; when not, the backend runs without the service
         *                  API and {@link Backend#serviceApiUnavailable()} says why (a default port that another process holds)
         */
        public Builder serviceApi(int port, List<String> hostNames, boolean required) {
            this.servicePort = port;
            this.serviceHostNames = hostNames == null ? null : List.copyOf(hostNames);
            this.serviceRequired = required;
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

            ClusterNode node = null;
            if (cluster != null) {
                if (engine == null) {
                    throw new IllegalArgumentException("a hub cluster needs its streams on Kafka (--streams kafka): the nodes append to and "
                            + "the backend reads the same topics; the file log belongs to one process");
                }
                node = ClusterNode.join(new ClusterStore(db, cluster.liveness()), pki, cluster);
                started.add(node);
            }
            DeviceRegistry registry = node != null ? StoreDeviceRegistry.shared(db) : new StoreDeviceRegistry(db);
            EmbeddedHub hub = null;
            MqttDeviceCommands local;
            if (node == null || node.options().role().runsHub()) {
                // twins and cloud-to-device queues in the store: they survive a restart, and a cluster's nodes share them
                EmbeddedHub.Builder hubBuilder = EmbeddedHub.builder(pki).registry(registry)
                        .state(new StoreTwins(db), options -> new StoreCloudToDeviceQueue(db, options, clock));
                hubOptions.accept(hubBuilder);
                if (node != null) {
                    hubBuilder.clusterNode(new StoreTwins(db), options -> new StoreCloudToDeviceQueue(db, options, clock), node, true);
                }
                if (engine != null) {
                    hubBuilder.capIngestBudget(engine.bufferBytes() / 4);
                }
                hub = hubBuilder.sink(sink).start();
                started.add(hub);
                local = hub.localDevices();
                local.addConnectionListener(sink.connectionEvents());
            } else { // a backend process of a cluster: no gateway; commands go to the hub nodes
                local = new MqttDeviceCommands(registry, new StoreTwins(db), new StoreCloudToDeviceQueue(db, CloudToDeviceQueue.Options.iotHub(), clock));
                started.add(local::close);
            }
            DeviceCommands commands = local;
            if (node != null) {
                node.attach(local);
                if (hub != null) {
                    EmbeddedHub h = hub;
                    node.onHubNodes(n -> h.throttles().share(n)); // the profile's rates are the hub's: each node takes its share
                }
                ClusterDeviceCommands clustered = new ClusterDeviceCommands(local, node);
                started.add(clustered);
                commands = clustered;
            }
            ClaimService claims = new ClaimService(commands, claimStore, devices, clock);
            // one set of stage latencies for the process: the hub's stages and each processor group's
            StageTimings timings = hub != null ? hub.gateway().timings() : new StageTimings();

            Map<String, StreamProcessor> processors = new LinkedHashMap<>();
            Map<String, DecodedMessages> decodes = new LinkedHashMap<>(); // per stream: its groups decode each record once
            streams.forEach((name, s) -> decodes.put(name, DecodedMessages.of(s)));
            boolean runsProcessors = node == null || node.options().role().runsBackend();
            if (runsProcessors) {
                BuiltInProcessors.start(streams, db, telemetry, devices, claims, timings, decodes, processors, started);
            }
            for (CustomProcessor c : runsProcessors ? customProcessors : List.<CustomProcessor>of()) {
                Stream stream = streams.get(c.endpoint());
                if (stream == null) {
                    throw new IllegalArgumentException("processor '" + c.group() + "': no endpoint '" + c.endpoint() + "'; the routes have "
                            + streams.keySet());
                }
                if (processors.containsKey(c.group())) {
                    throw new IllegalArgumentException("processor '" + c.group() + "': the consumer group is taken");
                }
                started.add(processors.computeIfAbsent(c.group(), g -> StreamProcessor.start(stream, g, c.handler(), StreamProcessor.BATCH_SIZE,
                        timings, decodes.get(c.endpoint()))));
            }
            List<Capture> capturing = BuiltInProcessors.captures(streams, runsProcessors ? captures : Map.of(), started);

            DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(dataDir.resolve("dev-issuer.jwk"));
            TokenVerifier verifier = tokens != null ? tokens
                    : TokenVerifier.forKeys(issuer.publicKeys(), DevTokenIssuer.ISSUER, DevTokenIssuer.AUDIENCE);
            PrometheusMeterRegistry metrics = BackendMetrics.meters(hub, commands, node, sink, streams, processors, timings);
            Map<String, Supplier<Health>> health = BackendHealth.checks(hub, node, db, engine, streams, processors, capturing);
            if (tokens != null && tokens.providerHealth() != null) {
                health.put("identity-provider", tokens.providerHealth());
            }
            AtomicReference<SwarmControl> swarm = new AtomicReference<>();
            EmbeddedHub running = hub;
            DeviceCommands port = commands;
            ApiServer api = ApiServer.start(httpBind, httpPort, new ApiServer.Services(verifier, tokens == null ? issuer.publicKeys() : null,
                    devices, telemetry, claimStore, claims, commands, metrics, health, 
                    () -> BackendMetrics.fleet(running, registry, port, streams, processors, sink, swarm.get(), timings),
                    hub != null ? hub.dps() : provisioningView(registry), swarm::get), httpLimits);

            ServiceApiServer serviceApi = null;
            String serviceUnavailable = null;
            if (servicePort >= 0) {
                List<String> names = serviceHostNames != null ? serviceHostNames
                        : hub != null ? hub.config().hubHostNames().stream().map(HubHostName::value).toList() : List.of("127.0.0.1");
                try {
                    serviceApi = ServiceApiServer.start(httpBind, servicePort, new ServiceApiServer.Services(SharedAccessPolicies.loadOrCreate(dataDir),
                            names, registry, commands, pki.server(), clock), httpLimits);
                    started.add(serviceApi);
                } catch (IllegalStateException e) {
                    if (serviceRequired) {
                        throw e;
                    }
                    serviceUnavailable = e.getMessage();
                }
            }

            // stop taking work first, then drain what consumes it, then what stores it
            List<AutoCloseable> closeOrder = new ArrayList<>();
            closeOrder.add(api);
            if (serviceApi != null) {
                closeOrder.add(serviceApi);
            }
            if (hub != null) {
                closeOrder.add(hub);
            }
            closeOrder.addAll(processors.values());
            closeOrder.addAll(capturing);
            closeOrder.addAll(streams.values());
            if (engine != null) {
                closeOrder.add(engine);
            }
            if (node != null) {
                closeOrder.add(1, node); // leaves the cluster (heartbeat ends) before its connections close
                closeOrder.add(closeOrder.indexOf(node) + 1, (ClusterDeviceCommands) commands);
            }
            if (hub == null) {
                closeOrder.add(local::close);
            }
            closeOrder.add(db);
            return new Backend(closeOrder, hub, commands, node, api, serviceApi, serviceUnavailable, db, java.util.Collections.unmodifiableMap(streams), processors,
                    issuer, sink, swarm);
        }

        /** What the API's provisioning pages show in a process without the hub: the enrollments, no registrations of its own. */
        private DpsService provisioningView(DeviceRegistry registry) {
            Enrollments enrollments = new Enrollments();
            enrollments.add(new Enrollment.Group("factory", pki.intermediate().certificate(), true));
            return new DpsService(IdScope.DEFAULT, new HubAllocation(List.of(HubHostName.of("127.0.0.1"))), enrollments, registry, clock, 2);
        }
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

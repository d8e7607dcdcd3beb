package io.fleetkit.backend;

import io.fleetkit.backend.dps.AllocationPolicy;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.dps.HubAllocation;
import io.fleetkit.backend.gateway.GatewayConfig;
import io.fleetkit.backend.gateway.GatewayLimits;
import io.fleetkit.backend.gateway.MqttDeviceCommands;
import io.fleetkit.backend.gateway.MqttGateway;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.ConnectionDirectory;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The local IoT Hub + DPS in one object: a gateway listening for both dialects, DPS with a group
 * enrollment for the PKI's intermediate CA, the device-command port, an in-memory registry, twins and
 * message sink. What {@code fleetkit serve} runs, and what tests start on a free port:
 * <pre>
 * try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).start()) { … hub.port() … }
 * </pre>
 */
public final class EmbeddedHub implements AutoCloseable {
    private final MqttGateway gateway;
    private final MqttDeviceCommands devices;
    private final DpsService dps;
    private final Enrollments enrollments;
    private final DeviceToCloudSink sink;
    private final GatewayConfig config;
    private final Throttles throttles;

    private EmbeddedHub(MqttGateway gateway, MqttDeviceCommands devices, DpsService dps, Enrollments enrollments, DeviceToCloudSink sink,
                        GatewayConfig config, Throttles throttles) {
        this.gateway = gateway;
        this.devices = devices;
        this.dps = dps;
        this.enrollments = enrollments;
        this.sink = sink;
        this.config = config;
        this.throttles = throttles;
    }

    /** The throttles in force (switch the profile at run time with {@link Throttles#set}) and their counters. */
    public Throttles throttles() {
        return throttles;
    }

    public static Builder builder(PkiDirectory pki) {
        return new Builder(pki);
    }

    /** The device-command port: direct methods, cloud-to-device messages, desired patches, connection state. */
    public DeviceCommands devices() {
        return devices;
    }

    /** The device-command port over this process's own connections (what a cluster node serves the others from). */
    public MqttDeviceCommands localDevices() {
        return devices;
    }

    /** The devices' cloud-to-device queues (depths, completed, expired and dead-lettered counts). */
    public CloudToDeviceQueue cloudToDevice() {
        return devices.cloudToDevice();
    }

    /** The twins the hub keeps (desired and reported properties, with versions). */
    public Twins twins() {
        return devices.twins();
    }

    public DpsService dps() {
        return dps;
    }

    public Enrollments enrollments() {
        return enrollments;
    }

    public DeviceRegistry registry() {
        return devices.registry();
    }

    /** The sink given to the builder, or the in-memory one. */
    public DeviceToCloudSink sink() {
        return sink;
    }

    public int port() {
        return gateway.port();
    }

    /** The listener, for its counters: pending connections, refusals, the ingest budget. */
    public MqttGateway gateway() {
        return gateway;
    }

    /** The DPS-only port, or -1 when none was configured. */
    public int dpsPort() {
        return gateway.dpsPort();
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public void close() {
        gateway.close();
        devices.close();
    }

    /** Options, with local defaults. Not thread-safe. */
    public static final class Builder {
        private final PkiDirectory pki;
        private String bindAddress = "127.0.0.1";
        private int port = GatewayConfig.DEFAULT_PORT;
        private int dpsPort = -1;
        private List<HubHostName> hubHostNames = List.of(HubHostName.of("127.0.0.1"));
        private IdScope idScope = IdScope.DEFAULT;
        private DeviceToCloudSink sink;
        private DeviceRegistry registry;
        private Clock clock = Clock.systemUTC();
        private int retryAfterSeconds = 2;
        private ThrottleProfile throttle = ThrottleProfile.OFF;
        private final List<Enrollment> extraEnrollments = new ArrayList<>();
        private GatewayLimits limits = GatewayLimits.defaults();
        private CloudToDeviceQueue.Options cloudToDevice = CloudToDeviceQueue.Options.iotHub();
        private Twins twins;
        private java.util.function.Function<CloudToDeviceQueue.Options, CloudToDeviceQueue> queueFactory;
        private ConnectionDirectory directory = ConnectionDirectory.SINGLE_PROCESS;
        private boolean sharedPort;
        private AllocationPolicy allocation = AllocationPolicy.DEFAULT;

        private Builder(PkiDirectory pki) {
            this.pki = Objects.requireNonNull(pki, "pki");
        }

        public Builder bind(String address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** 8883 by default (what the Azure SDKs dial); 0 for a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A second port that serves DPS only (0 for a free one); by default the main port serves both dialects. */
        public Builder dpsPort(int port) {
            this.dpsPort = port;
            return this;
        }

        public Builder hubHostNames(List<HubHostName> names) {
            this.hubHostNames = List.copyOf(names);
            return this;
        }

        public Builder idScope(IdScope scope) {
            this.idScope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        public Builder sink(DeviceToCloudSink sink) {
            this.sink = sink;
            return this;
        }

        public Builder registry(DeviceRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** What DPS's 202 answers say as retry-after (the Azure SDK accepts 2–5). */
        public Builder retryAfterSeconds(int seconds) {
            this.retryAfterSeconds = seconds;
            return this;
        }

        /** Azure-like throttling; {@link ThrottleProfile#OFF} by default. */
        public Builder throttle(ThrottleProfile profile) {
            this.throttle = Objects.requireNonNull(profile, "profile");
            return this;
        }

        /** Lock timeout, maximum delivery count and default TTL of cloud-to-device messages; IoT Hub's unless given. */
        public Builder cloudToDevice(CloudToDeviceQueue.Options options) {
            this.cloudToDevice = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Where twins and cloud-to-device queues are kept (the backend's store, so that they survive a restart); in this
         * process's memory unless given.
         */
        public Builder state(Twins twins, java.util.function.Function<CloudToDeviceQueue.Options, CloudToDeviceQueue> queue) {
            this.twins = Objects.requireNonNull(twins, "twins");
            this.queueFactory = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * A node of a hub cluster: twins and cloud-to-device queues shared with the other nodes (in the store), connections
         * recorded in the shared directory, and the port shared with the nodes on this host ({@code SO_REUSEPORT}).
         */
        public Builder clusterNode(Twins sharedTwins, java.util.function.Function<CloudToDeviceQueue.Options, CloudToDeviceQueue> sharedQueue,
                                   ConnectionDirectory connections, boolean sharePort) {
            state(sharedTwins, sharedQueue);
            this.directory = Objects.requireNonNull(connections, "connections");
            this.sharedPort = sharePort;
            return this;
        }

        /** Deadlines, caps and in-flight bounds of the listener; {@link GatewayLimits#defaults()} unless given. */
        public Builder limits(GatewayLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Lowers the ingest budget to at most {@code bytes} (a sink with a fixed buffer, such as a Kafka producer, sets it). */
        Builder capIngestBudget(long bytes) {
            if (limits.ingestBudgetBytes() > bytes) {
                limits = limits.withInflight(limits.maxInflightPerConnection(), bytes);
            }
            return this;
        }

        /** How DPS allocates the devices of the PKI's factory enrollment to the hub host names; evenly weighted unless given. */
        public Builder allocation(AllocationPolicy policy) {
            this.allocation = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder enrollment(Enrollment e) {
            extraEnrollments.add(e);
            return this;
        }

        public EmbeddedHub start() {
            Enrollments enrollments = new Enrollments();
            enrollments.add(new Enrollment.Group("factory", pki.intermediate().certificate(), true, allocation));
            extraEnrollments.forEach(enrollments::add);
            DeviceRegistry reg = registry != null ? registry : new InMemoryDeviceRegistry();
            DeviceToCloudSink s = sink != null ? sink : new InMemoryDeviceToCloudSink(10_000);
            Twins hubTwins = twins != null ? twins : Twins.inMemory();
            MqttDeviceCommands devices = new MqttDeviceCommands(reg, hubTwins,
                    queueFactory != null ? queueFactory.apply(cloudToDevice) : CloudToDeviceQueue.inMemory(cloudToDevice, clock), directory);
            Throttles throttles = new Throttles(throttle);
            DpsService dps = new DpsService(idScope, new HubAllocation(hubHostNames), enrollments, reg, clock, retryAfterSeconds, throttles);
            dps.initialTwins(hubTwins); // a custom allocation's initial twin
            GatewayConfig config = new GatewayConfig(bindAddress, port, hubHostNames, idScope, pki.server(),
                    Messages.DEVICE_TO_CLOUD_MAX_BYTES, dpsPort, limits, sharedPort);
            MqttGateway gateway;
            try {
                gateway = MqttGateway.start(config, enrollments, devices, dps, s, clock, throttles);
            } catch (RuntimeException e) {
                devices.close();
                throw e;
            }
            return new EmbeddedHub(gateway, devices, dps, enrollments, s, config, throttles);
        }
    }
}

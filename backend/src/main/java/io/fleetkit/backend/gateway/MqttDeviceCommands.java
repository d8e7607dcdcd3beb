package io.fleetkit.backend.gateway;

import io.fleetkit.backend.hub.MethodResult;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.ConnectionDirectory;
import io.fleetkit.backend.hub.ConnectionListener;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.mqtt.DeviceboundTopic;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.PropertyBag;
import io.fleetkit.protocol.mqtt.SystemProperty;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.mqtt.TwinDesiredPatchTopic;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device-command port over this process's MQTT connections: it keeps the session of each connected device (the
 * gateway's handlers attach and detach them), correlates method calls by {@code $rid}, and delivers queued cloud-to-device
 * messages. Thread-safe; the handlers call the package-private methods from their event loops.
 */
public final class MqttDeviceCommands implements DeviceCommands {
    private static final Logger LOG = LoggerFactory.getLogger(MqttDeviceCommands.class);

    private final DeviceRegistry registry;
    private final Twins twins;
    private final Map<DeviceId, HubSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, PendingCall> calls = new ConcurrentHashMap<>();
    private final CloudToDeviceQueue cloudToDevice;
    /** The subscriptions of devices that connected with clean session 0, kept while they are away (as IoT Hub does). */
    private final Map<DeviceId, Set<TopicFilter>> keptSessions = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final java.util.List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    private final ConnectionDirectory directory;
    /**
     * Where twin and queue work runs: inline when they are in memory; when they are in a database (a cluster), on a small
     * pool with a bounded queue, never on an event loop. Work it refuses is counted and logged; what it drops comes again
     * (a device's next connection, subscription or lock expiry delivers what waits; a twin request is answered 429).
     */
    private final java.util.concurrent.ThreadPoolExecutor statePool;
    private final java.util.concurrent.atomic.LongAdder stateRefused = new java.util.concurrent.atomic.LongAdder();
    static final int STATE_QUEUE = 10_000;

    private record PendingCall(DeviceId deviceId, CompletableFuture<MethodResult> result) {
    }

    public MqttDeviceCommands(DeviceRegistry registry, Twins twins) {
        this(registry, twins, CloudToDeviceQueue.inMemory(CloudToDeviceQueue.Options.iotHub(), java.time.Clock.systemUTC()));
    }

    public MqttDeviceCommands(DeviceRegistry registry, Twins twins, CloudToDeviceQueue cloudToDevice) {
        this(registry, twins, cloudToDevice, ConnectionDirectory.SINGLE_PROCESS);
    }

    /** @param directory where connections are recorded for the other nodes of a cluster ({@link ConnectionDirectory#SINGLE_PROCESS} for none) */
    public MqttDeviceCommands(DeviceRegistry registry, Twins twins, CloudToDeviceQueue cloudToDevice, ConnectionDirectory directory) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.twins = Objects.requireNonNull(twins, "twins");
        this.cloudToDevice = Objects.requireNonNull(cloudToDevice, "cloudToDevice");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.statePool = twins.isBlocking() || cloudToDevice.isBlocking()
                ? new java.util.concurrent.ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(STATE_QUEUE),
                new io.netty.util.concurrent.DefaultThreadFactory("fleetkit-hub-state", true))
                : null;
    }

    /**
     * Runs twin or queue work: at once when they are in memory, else on the state pool. False when the pool's queue is full
     * (counted in {@link #stateRefused()}).
     */
    boolean offEventLoop(Runnable work) {
        if (statePool == null) {
            work.run();
            return true;
        }
        try {
            statePool.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("hub state work failed: {}", e.getMessage());
                }
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException full) {
            stateRefused.increment();
            return false;
        }
    }

    /**
     * A command's twin or queue work, for callers on any thread (the REST API's event loop among them): at once when they
     * are in memory, on the state pool when they are in the store. A full pool fails the future (THROTTLED), as a full
     * queue does; the work's own failure is the future's, unwrapped.
     */
    private <T> CompletableFuture<T> stateWork(java.util.function.Supplier<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                done.complete(work.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        if (statePool == null) {
            run.run();
            return done;
        }
        try {
            statePool.execute(run);
        } catch (java.util.concurrent.RejectedExecutionException full) {
            stateRefused.increment();
            done.completeExceptionally(new io.fleetkit.protocol.FleetkitException(io.fleetkit.protocol.FleetkitException.Kind.THROTTLED,
                    STATE_QUEUE + " twin and queue operations wait for the store already; try again"));
        }
        return done;
    }

    /** Twin and queue work refused because {@link #STATE_QUEUE} were waiting (a store that cannot keep up). */
    public long stateRefused() {
        return stateRefused.sum();
    }

    /** Stops the state pool (when the twins or queue are in a store). */
    public void close() {
        if (statePool != null) {
            statePool.shutdownNow();
        }
    }

    /** Where this process records its connections for the rest of a cluster. */
    public ConnectionDirectory directory() {
        return directory;
    }

    /** The devices' cloud-to-device queues (depths, completed, expired and dead-lettered counts). */
    public CloudToDeviceQueue cloudToDevice() {
        return cloudToDevice;
    }

    public DeviceRegistry registry() {
        return registry;
    }

    public Twins twins() {
        return twins;
    }

    @Override
    public boolean isConnected(DeviceId id) {
        return sessions.containsKey(id);
    }

    @Override
    public Optional<X509Certificate> certificate(DeviceId id) {
        HubSession s = sessions.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.certificate());
    }

    @Override
    public int connectedCount() {
        return sessions.size();
    }

    @Override
    public CompletableFuture<MethodResult> invokeMethod(DeviceId deviceId, MethodName method, byte[] payload, Duration timeout) {
        DeviceCommands.checkMethodCall(method, payload, timeout);
        HubSession session = sessions.get(deviceId);
        if (session == null || !session.isSubscribed(TopicFilter.Fixed.METHOD_REQUESTS)) {
            return CompletableFuture.completedFuture(MethodResult.notOnline(deviceId.value()));
        }
        RequestId rid = RequestId.of(Long.toHexString(nextRequestId.getAndIncrement()));
        CompletableFuture<MethodResult> result = new CompletableFuture<>();
        calls.put(rid.value(), new PendingCall(deviceId, result));
        var timer = session.channel().eventLoop().schedule(() -> {
            if (calls.remove(rid.value()) != null) {
                result.complete(MethodResult.timeout(deviceId.value(), method.value(), timeout.toMillis()));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        session.publish(new MethodRequestTopic(method, rid).format(), MqttQoS.AT_MOST_ONCE, payload);
        return result;
    }

    @Override
    public CompletableFuture<String> sendCloudToDevice(DeviceId deviceId, byte[] payload, Map<String, String> properties, Duration ttl) {
        String messageId = UUID.randomUUID().toString();
        PropertyBag.Builder bag = PropertyBag.builder()
                .put(SystemProperty.MESSAGE_ID, messageId)
                .put(SystemProperty.TO, "/devices/" + deviceId.value() + "/messages/devicebound");
        if (ttl != null) {
            bag.put(SystemProperty.EXPIRY_TIME_UTC, Instant.now().plus(ttl).toString());
        }
        properties.forEach(bag::put);
        String topic = new DeviceboundTopic(deviceId, bag.build()).format();
        CloudToDeviceQueue.check(cloudToDevice.options(), payload, ttl); // a bad size or TTL throws here, as documented
        return stateWork(() -> {
            cloudToDevice.enqueue(deviceId, messageId, topic, payload, ttl); // QueueFullException fails the future
            HubSession session = sessions.get(deviceId);
            if (session != null) {
                deliverCloudToDevice(session);
            }
            return messageId;
        });
    }

    @Override
    public CompletableFuture<Long> updateDesired(DeviceId deviceId, ObjectNode patch) {
        return stateWork(() -> {
            long version = twins.patchDesired(deviceId, patch);
            publishDesired(deviceId, patch, version);
            return version;
        });
    }

    @Override
    public CompletableFuture<Twins.Snapshot> patchTwin(DeviceId deviceId, ObjectNode tags, ObjectNode desired, String ifEtag) {
        return stateWork(() -> {
            Twins.Snapshot after = twins.patch(deviceId, tags, desired, ifEtag);
            if (desired != null) {
                publishDesired(deviceId, desired, after.desiredVersion());
            }
            return after;
        });
    }

    @Override
    public void removed(DeviceId deviceId) {
        disconnect(deviceId, "removed from the registry");
        twins.remove(deviceId);
        cloudToDevice.purge(deviceId);
    }

    @Override
    public int queuedCloudToDevice(DeviceId deviceId) {
        return cloudToDevice.depth(deviceId);
    }

    @Override
    public CompletableFuture<Boolean> disconnect(DeviceId deviceId, String reason) {
        HubSession session = sessions.get(deviceId);
        if (session == null) {
            return CompletableFuture.completedFuture(false);
        }
        LOG.info("closing the connection of device {} from {}: {}", deviceId, session.channel().remoteAddress(), reason);
        session.channel().close();
        return CompletableFuture.completedFuture(true);
    }

    /**
     * Sends a desired-properties patch, already applied to the twin as {@code version}, to the device if it is connected here
     * and listens for them; false when it is not.
     */
    public boolean publishDesired(DeviceId deviceId, ObjectNode patch, long version) {
        HubSession session = sessions.get(deviceId);
        if (session == null || !session.isSubscribed(TopicFilter.Fixed.TWIN_DESIRED_PATCHES)) {
            return false;
        }
        ObjectNode body = patch.deepCopy().put("$version", version);
        session.publish(new TwinDesiredPatchTopic(version).format(), MqttQoS.AT_MOST_ONCE, body.toString().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** Delivers what is queued for the device now, if it is connected here (a cluster node is told a message was queued elsewhere). */
    public void deliverCloudToDevice(DeviceId deviceId) {
        HubSession session = sessions.get(deviceId);
        if (session != null) {
            deliverCloudToDevice(session);
        }
    }

    /**
     * Closes the device's connection {@code connectionId} if this process holds it: a newer connection of the device on another
     * node replaced it. No disconnect is reported for it (the device is still connected, elsewhere). False when it is not here.
     */
    public boolean closeReplaced(DeviceId deviceId, String connectionId) {
        HubSession session = sessions.get(deviceId);
        if (session == null || !session.connectionId().equals(connectionId)) {
            return false;
        }
        LOG.info("device {} connected again on another node; closing its connection from {} here", deviceId, session.channel().remoteAddress());
        session.replacedElsewhere();
        session.channel().close();
        return true;
    }

    @Override
    public Twins.Snapshot twin(DeviceId deviceId) {
        return twins.get(deviceId);
    }

    @Override
    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void connectionChanged(DeviceId deviceId, boolean connected, String modelId) {
        Instant now = Instant.now();
        for (ConnectionListener l : connectionListeners) {
            try {
                l.connectionChanged(deviceId, connected, now, modelId);
            } catch (RuntimeException e) {
                LOG.warn("connection listener failed for {}: {}", deviceId, e.toString());
            }
        }
    }

    /**
     * A device that was connected to a node of the cluster that died: reported disconnected through this process's connection
     * listeners (the lifecycle stream), unless it is connected here now.
     */
    public void reportGoneElsewhere(DeviceId deviceId) {
        if (!sessions.containsKey(deviceId)) {
            connectionChanged(deviceId, false, null);
        }
    }

    // --- called by the gateway's handlers ---

    /** Whether a device that connects with clean session 0 finds a session kept (CONNACK's session-present flag). */
    boolean hasKeptSession(DeviceId deviceId) {
        return keptSessions.containsKey(deviceId);
    }

    /**
     * A device connected; an earlier connection of the same device is closed (the newest wins, as in IoT Hub). With clean
     * session 0 it gets back the subscriptions it had, and what is queued for it is delivered; with clean session 1 any kept
     * session is dropped.
     */
    void attach(HubSession session) {
        Set<TopicFilter> kept = session.cleanSession() ? null : keptSessions.remove(session.deviceId());
        if (session.cleanSession()) {
            keptSessions.remove(session.deviceId());
        } else if (kept != null) {
            kept.forEach(session::subscribe);
        }
        HubSession previous = sessions.put(session.deviceId(), session);
        if (previous != null && previous.channel() != session.channel()) {
            LOG.info("device {} connected again from {}; closing its previous connection", session.deviceId(),
                    session.channel().remoteAddress());
            previous.channel().close();
        }
        connectionChanged(session.deviceId(), true, session.modelId());
        deliverCloudToDevice(session);
    }

    void detach(HubSession session) {
        boolean last = sessions.remove(session.deviceId(), session); // false when a newer connection replaced it
        if (last && !session.isReplacedElsewhere()) {
            if (!session.cleanSession()) {
                keptSessions.put(session.deviceId(), session.subscriptions());
            }
            connectionChanged(session.deviceId(), false, null);
        }
        if (last && directory.isShared() && !session.isReplacedElsewhere()) {
            directory.disconnected(session.deviceId(), session.connectionId());
        }
        // what it received and did not complete may go again at once, on its next connection (or a newer one already here)
        offEventLoop(() -> {
            cloudToDevice.unlock(session.deviceId(), session.connectionId());
            HubSession current = sessions.get(session.deviceId());
            if (current != null) {
                deliverCloudToDevice(current);
            }
        });
        calls.entrySet().removeIf(e -> {
            if (e.getValue().deviceId().equals(session.deviceId()) && !sessions.containsKey(session.deviceId())) {
                e.getValue().result().complete(MethodResult.notOnline(session.deviceId().value()));
                return true;
            }
            return false;
        });
    }

    /** A device answered a method call; answers to unknown or expired calls are ignored. */
    boolean methodResponse(DeviceId from, RequestId rid, int status, byte[] payload) {
        PendingCall call = calls.get(rid.value());
        if (call == null || !call.deviceId().equals(from)) {
            return false;
        }
        calls.remove(rid.value());
        call.result().complete(new MethodResult(status, payload));
        return true;
    }

    /**
     * Delivers what the device may be given now, if it listens for cloud-to-device messages, and looks again when the
     * earliest lock runs out (a message not completed by then goes again). Any thread.
     */
    void deliverCloudToDevice(HubSession session) {
        DeviceId id = session.deviceId();
        if (!session.isSubscribed(new TopicFilter.Devicebound(id)) || sessions.get(id) != session) {
            return;
        }
        offEventLoop(() -> {
            for (CloudToDeviceQueue.Delivery d : cloudToDevice.takeDeliverable(id, session.connectionId())) {
                session.publishCloudToDevice(d.topic(), d.body(), d.messageId());
            }
            cloudToDevice.untilNextLockExpiry(id).ifPresent(in -> session.recheckIn(in, () -> deliverCloudToDevice(session)));
        });
    }

    /** The device acknowledged (completed) a cloud-to-device message. */
    void completeCloudToDevice(DeviceId deviceId, String messageId) {
        offEventLoop(() -> {
            if (!cloudToDevice.complete(deviceId, messageId)) {
                LOG.debug("device {}: PUBACK for cloud-to-device message {}, which is no longer queued (completed or expired)", deviceId, messageId);
            }
        });
    }

    Optional<HubSession> session(DeviceId id) {
        return Optional.ofNullable(sessions.get(id));
    }
}

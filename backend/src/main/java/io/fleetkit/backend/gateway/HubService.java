package io.fleetkit.backend.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.ConnectionListener;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.message.Messages;
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
import java.util.ArrayDeque;
import java.util.Deque;
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
 * The hub's server-side API, what a backend calls: direct methods, cloud-to-device messages,
 * desired properties, twins and connection state. Thread-safe; every call returns at once and
 * completes its future when the outcome is known.
 */
public final class HubService {
    private static final Logger LOG = LoggerFactory.getLogger(HubService.class);
    /** IoT Hub keeps at most 50 cloud-to-device messages per device. */
    public static final int CLOUD_TO_DEVICE_QUEUE = 50;
    public static final Duration MAX_METHOD_TIMEOUT = Duration.ofSeconds(300);

    private final DeviceRegistry registry;
    private final Twins twins;
    private final Map<DeviceId, HubSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, PendingCall> calls = new ConcurrentHashMap<>();
    private final Map<DeviceId, Deque<byte[][]>> cloudToDevice = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final java.util.List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();

    private record PendingCall(DeviceId deviceId, CompletableFuture<MethodResult> result) {
    }

    public HubService(DeviceRegistry registry, Twins twins) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.twins = Objects.requireNonNull(twins, "twins");
    }

    public DeviceRegistry registry() {
        return registry;
    }

    public Twins twins() {
        return twins;
    }

    public boolean isConnected(DeviceId id) {
        return sessions.containsKey(id);
    }

    /**
     * The certificate a connected device authenticated with on its current connection: the key
     * that proves a device's presence messages (ownership claims) is the one it holds right now.
     */
    public Optional<X509Certificate> certificate(DeviceId id) {
        HubSession s = sessions.get(id);
        return s == null ? Optional.empty() : Optional.ofNullable(s.certificate());
    }

    public int connectedCount() {
        return sessions.size();
    }

    /**
     * Calls a direct method. The future completes with the device's status and payload; with
     * {@link MethodResult#NOT_ONLINE} at once when the device is not connected or not subscribed
     * to {@code $iothub/methods/POST/#}; with {@link MethodResult#TIMEOUT} when it does not answer
     * within {@code timeout}. It never completes exceptionally.
     *
     * @param payload JSON, at most 128 KB
     */
    public CompletableFuture<MethodResult> invokeMethod(DeviceId deviceId, MethodName method, byte[] payload, Duration timeout) {
        Objects.requireNonNull(method, "method");
        if (payload.length > Messages.METHOD_PAYLOAD_MAX_BYTES) {
            throw new IllegalArgumentException("payload: at most " + Messages.METHOD_PAYLOAD_MAX_BYTES + " bytes, was " + payload.length);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_METHOD_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout: must be positive and at most " + MAX_METHOD_TIMEOUT + ", was " + timeout);
        }
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

    /**
     * Sends a cloud-to-device message: delivered at once (QoS 1) when the device listens on
     * {@code devices/{id}/messages/devicebound/#}, else queued (at most 50, oldest dropped) until it
     * subscribes. The future completes when the message is sent or queued.
     */
    public CompletableFuture<Void> sendCloudToDevice(DeviceId deviceId, byte[] payload, Map<String, String> properties) {
        PropertyBag.Builder bag = PropertyBag.builder()
                .put(SystemProperty.MESSAGE_ID, UUID.randomUUID().toString())
                .put(SystemProperty.TO, "/devices/" + deviceId.value() + "/messages/devicebound");
        properties.forEach(bag::put);
        String topic = new DeviceboundTopic(deviceId, bag.build()).format();
        HubSession session = sessions.get(deviceId);
        if (session != null && session.isSubscribed(new TopicFilter.Devicebound(deviceId))) {
            session.publish(topic, MqttQoS.AT_LEAST_ONCE, payload);
        } else {
            Deque<byte[][]> queue = cloudToDevice.computeIfAbsent(deviceId, k -> new ArrayDeque<>());
            synchronized (queue) {
                queue.addLast(new byte[][]{topic.getBytes(StandardCharsets.UTF_8), payload.clone()});
                while (queue.size() > CLOUD_TO_DEVICE_QUEUE) {
                    queue.removeFirst();
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Patches the desired properties and notifies the device if it listens on
     * {@code $iothub/twin/PATCH/properties/desired/#}. Completes with the new desired version.
     */
    public CompletableFuture<Long> updateDesired(DeviceId deviceId, ObjectNode patch) {
        long version = twins.patchDesired(deviceId, patch);
        HubSession session = sessions.get(deviceId);
        if (session != null && session.isSubscribed(TopicFilter.Fixed.TWIN_DESIRED_PATCHES)) {
            ObjectNode body = patch.deepCopy().put("$version", version);
            session.publish(new TwinDesiredPatchTopic(version).format(), MqttQoS.AT_MOST_ONCE,
                    body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return CompletableFuture.completedFuture(version);
    }

    public Twins.Snapshot twin(DeviceId deviceId) {
        return twins.get(deviceId);
    }

    /** Adds a listener for devices connecting and disconnecting (e.g. the routing of lifecycle events). */
    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void connectionChanged(DeviceId deviceId, boolean connected) {
        Instant now = Instant.now();
        for (ConnectionListener l : connectionListeners) {
            try {
                l.connectionChanged(deviceId, connected, now);
            } catch (RuntimeException e) {
                LOG.warn("connection listener failed for {}: {}", deviceId, e.toString());
            }
        }
    }

    // --- called by the gateway's handlers ---

    /** A device connected; an earlier connection of the same device is closed (the newest wins, as in IoT Hub). */
    void attach(HubSession session) {
        HubSession previous = sessions.put(session.deviceId(), session);
        if (previous != null && previous.channel() != session.channel()) {
            LOG.info("device {} connected again from {}; closing its previous connection", session.deviceId(),
                    session.channel().remoteAddress());
            previous.channel().close();
        }
        connectionChanged(session.deviceId(), true);
    }

    void detach(HubSession session) {
        if (sessions.remove(session.deviceId(), session)) {
            connectionChanged(session.deviceId(), false);
        }
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

    /** The device subscribed to its devicebound filter: deliver what was queued. */
    void flushCloudToDevice(HubSession session) {
        Deque<byte[][]> queue = cloudToDevice.remove(session.deviceId());
        if (queue == null) {
            return;
        }
        synchronized (queue) {
            for (byte[][] m : queue) {
                session.publish(new String(m[0], StandardCharsets.UTF_8), MqttQoS.AT_LEAST_ONCE, m[1]);
            }
        }
    }

    Optional<HubSession> session(DeviceId id) {
        return Optional.ofNullable(sessions.get(id));
    }
}

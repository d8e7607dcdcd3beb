package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.pki.Certificates;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttQoS;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device's connection to the hub. Subscriptions are read from any thread (the hub API asks
 * whether a device listens for methods); everything else happens on the channel's event loop.
 */
final class HubSession {
    private static final String PROCESS = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);
    private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong();

    private final DeviceId deviceId;
    private final String connectionId;
    private volatile boolean replacedElsewhere;
    /** DER, parsed when asked for (claims, rarely): a parsed certificate costs ~3 KB of heap per connection. */
    private final byte[] certificate;
    private final Channel channel;
    private final Set<TopicFilter> subscriptions = ConcurrentHashMap.newKeySet();
    private final boolean cleanSession;
    private final String modelId;
    private int nextPacketId = 1; // event loop only
    /**
     * Cloud-to-device messages sent and not yet acknowledged: packet id → message id. Event loop only; at most one entry per
     * delivery of a queued message (≤ 50 × the maximum delivery count), and the oldest go past {@link #MAX_UNACKNOWLEDGED}.
     */
    private final Map<Integer, String> unacknowledged = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
            return size() > MAX_UNACKNOWLEDGED;
        }
    };
    private static final int MAX_UNACKNOWLEDGED = 1000;
    private ScheduledFuture<?> recheck; // event loop only
    private long recheckAt; // nanoTime; event loop only

    /**
     * @param certificate  what the device authenticated with; null in handler tests without TLS
     * @param cleanSession the CONNECT's flag: false keeps the subscriptions for the device's next connection
     */
    HubSession(DeviceId deviceId, X509Certificate certificate, Channel channel, boolean cleanSession, String modelId) {
        this(deviceId, certificate, channel, cleanSession, modelId, newConnectionId());
    }

    /** @param connectionId unique across processes and restarts ({@link #newConnectionId()}) */
    HubSession(DeviceId deviceId, X509Certificate certificate, Channel channel, boolean cleanSession, String modelId, String connectionId) {
        this.deviceId = deviceId;
        this.connectionId = connectionId;
        this.certificate = encoded(certificate);
        this.channel = channel;
        this.cleanSession = cleanSession;
        this.modelId = modelId;
    }

    HubSession(DeviceId deviceId, X509Certificate certificate, Channel channel) {
        this(deviceId, certificate, channel, true, null);
    }

    /** A connection id no other connection of any process has had: a random prefix per process, then a counter. */
    static String newConnectionId() {
        return PROCESS + "-" + Long.toHexString(NEXT.incrementAndGet());
    }

    String connectionId() {
        return connectionId;
    }

    /** A newer connection of the device on another node of the cluster replaced this one. */
    void replacedElsewhere() {
        replacedElsewhere = true;
    }

    boolean isReplacedElsewhere() {
        return replacedElsewhere;
    }

    /** The IoT Plug and Play model id announced in the CONNECT's username, or null. */
    String modelId() {
        return modelId;
    }

    boolean cleanSession() {
        return cleanSession;
    }

    /** A copy of the subscriptions, kept for the device's next connection when it asked for a persistent session. */
    Set<TopicFilter> subscriptions() {
        return Set.copyOf(subscriptions);
    }

    DeviceId deviceId() {
        return deviceId;
    }

    /** The DER of the device's certificate, or null. */
    byte[] certificateDer() {
        return certificate;
    }

    X509Certificate certificate() {
        return certificate == null ? null : Certificates.fromDer(certificate);
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate == null ? null : certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the device certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    Channel channel() {
        return channel;
    }

    boolean isSubscribed(TopicFilter filter) {
        return subscriptions.contains(filter);
    }

    void subscribe(TopicFilter filter) {
        subscriptions.add(filter);
    }

    void unsubscribe(TopicFilter filter) {
        subscriptions.remove(filter);
    }

    /** Sends a queued cloud-to-device message (QoS 1) from any thread; its PUBACK completes it ({@link #acknowledged}). */
    void publishCloudToDevice(String topic, byte[] payload, String messageId) {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                int id = packetId();
                unacknowledged.put(id, messageId);
                channel.writeAndFlush(MqttPackets.publish(channel.alloc(), topic, MqttQoS.AT_LEAST_ONCE, id, payload));
            }
        });
    }

    /** The device's PUBACK for {@code packetId}: the cloud-to-device message it completes, or null. Event loop only. */
    String acknowledged(int packetId) {
        return unacknowledged.remove(packetId);
    }

    /** Runs {@code check} on the event loop in {@code delay} (when the earliest lock runs out), unless one is due sooner already. */
    void recheckIn(Duration delay, Runnable check) {
        long at = System.nanoTime() + delay.toNanos() + 1_000_000; // just past the expiry
        channel.eventLoop().execute(() -> {
            if (!channel.isActive() || (recheck != null && !recheck.isDone() && recheckAt - at <= 0)) {
                return;
            }
            if (recheck != null) {
                recheck.cancel(false);
            }
            recheckAt = at;
            recheck = channel.eventLoop().schedule(check, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
        });
    }

    private int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    /** Publishes to the device from any thread; runs on the event loop. */
    void publish(String topic, MqttQoS qos, byte[] payload) {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                int id = qos == MqttQoS.AT_MOST_ONCE ? 0 : packetId();
                channel.writeAndFlush(MqttPackets.publish(channel.alloc(), topic, qos, id, payload));
            }
        });
    }
}

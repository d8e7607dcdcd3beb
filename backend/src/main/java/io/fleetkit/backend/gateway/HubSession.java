package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.pki.Certificates;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttQoS;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One device's connection to the hub. Subscriptions are read from any thread (the hub API asks
 * whether a device listens for methods); everything else happens on the channel's event loop.
 */
final class HubSession {
    private final DeviceId deviceId;
    /** DER, parsed when asked for (claims, rarely): a parsed certificate costs ~3 KB of heap per connection. */
    private final byte[] certificate;
    private final Channel channel;
    private final Set<TopicFilter> subscriptions = ConcurrentHashMap.newKeySet();
    private int nextPacketId = 1; // event loop only

    /** @param certificate what the device authenticated with; null in handler tests without TLS */
    HubSession(DeviceId deviceId, X509Certificate certificate, Channel channel) {
        this.deviceId = deviceId;
        this.certificate = encoded(certificate);
        this.channel = channel;
    }

    DeviceId deviceId() {
        return deviceId;
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

    /** Publishes to the device from any thread; runs on the event loop. */
    void publish(String topic, MqttQoS qos, byte[] payload) {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                int id = 0;
                if (qos != MqttQoS.AT_MOST_ONCE) {
                    id = nextPacketId;
                    nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
                }
                channel.writeAndFlush(MqttPackets.publish(channel.alloc(), topic, qos, id, payload));
            }
        });
    }
}

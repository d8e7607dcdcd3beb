package io.fleetkit.backend.gateway;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** A Paho MQTT 3.1.1 client over TLS as a test device, collecting what it receives. */
final class PahoDevice implements AutoCloseable {
    record Received(String topic, String payload) {
    }

    private final MqttClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile Throwable lost;

    PahoDevice(int port, String clientId) throws MqttException {
        client = new MqttClient("ssl://127.0.0.1:" + port, clientId, new MemoryPersistence());
        // Paho's blocking calls wait forever by default; a publish the server answers by closing the
        // connection can lose its completion, so bound every wait
        client.setTimeToWait(15_000);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost = cause;
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    void connect(String username, SSLContext tls) throws MqttException {
        connect(username, tls.getSocketFactory());
    }

    void connect(String username, javax.net.ssl.SSLSocketFactory tls) throws MqttException {
        connect(username, tls, 30);
    }

    /** @param keepAliveSeconds 0 for none */
    void connect(String username, javax.net.ssl.SSLSocketFactory tls, int keepAliveSeconds) throws MqttException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(username);
        o.setSocketFactory(tls);
        o.setCleanSession(true);
        o.setKeepAliveInterval(keepAliveSeconds);
        o.setConnectionTimeout(60); // a burst of a thousand TLS handshakes on two cores takes a while
        o.setAutomaticReconnect(false);
        client.connect(o);
    }

    MqttClient client() {
        return client;
    }

    Throwable lost() {
        return lost;
    }

    void publish(String topic, String payload, int qos) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        client.publish(topic, m);
    }

    /** Publishes something the hub answers by closing the connection: whatever Paho reports is expected. */
    void publishExpectingDisconnect(String topic, String payload, int qos) {
        try {
            publish(topic, payload, qos);
        } catch (MqttException expected) {
            // the connection was closed during or right after the publish
        }
    }

    Received await(Predicate<Received> match, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new TimeoutException("nothing matching arrived within " + timeout);
            }
            if (match.test(r)) {
                return r;
            }
        }
    }

    Received awaitTopic(String prefix) throws InterruptedException, TimeoutException {
        return await(r -> r.topic().startsWith(prefix), Duration.ofSeconds(10));
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close(true);
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.testing.MutableClock;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cloud-to-device at least once, as IoT Hub: a message the device does not acknowledge (PUBACK) is delivered again after
 * the lock timeout (1 s here; a minute on IoT Hub) and after the device reconnects; one that expired while it was away is
 * never delivered; one it completed never comes again; clean session 0 keeps the subscription and CONNACK says the
 * session is present. With Paho (manual acknowledgements) and with the official Azure IoT Java device SDK, which binds
 * this class to 127.0.0.1:8883.
 */
@Timeout(120)
@ThrowAwayPki.Use
class CloudToDeviceIT {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static EmbeddedHub hub;
    static final MutableClock clock = new MutableClock();

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        pki = throwAway.directory();
        hub = EmbeddedHub.builder(pki).port(8883).clock(clock)
                .cloudToDevice(new CloudToDeviceQueue.Options(Duration.ofSeconds(1), 10, Duration.ofHours(1))).start();
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static DeviceIdentity registered(String id) {
        DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of(id), KeyAlgorithm.EC_P256);
        hub.registry().createIfAbsent(d.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
        return d;
    }

    /** A Paho device that acknowledges only when told to. */
    static final class ManualAckDevice implements AutoCloseable {
        final MqttClient client;
        final BlockingQueue<MqttMessage> arrived = new LinkedBlockingQueue<>();
        final boolean sessionPresent;

        ManualAckDevice(DeviceIdentity d, boolean cleanSession) throws MqttException {
            client = new MqttClient("ssl://127.0.0.1:8883", d.deviceId().value(), new MemoryPersistence());
            client.setManualAcks(true);
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    arrived.add(message);
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setSocketFactory(TlsContexts.forDevice(d, pki.trustAnchors()).getSocketFactory());
            o.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format());
            o.setCleanSession(cleanSession);
            IMqttToken connected = client.connectWithResult(o);
            sessionPresent = connected.getSessionPresent();
        }

        void subscribe(DeviceId id) throws MqttException {
            client.subscribe("devices/" + id + "/messages/devicebound/#", 1);
        }

        String next() throws InterruptedException {
            MqttMessage m = arrived.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a cloud-to-device message within 10 s").isNotNull();
            last = m;
            return new String(m.getPayload(), StandardCharsets.UTF_8);
        }

        MqttMessage last;

        /** PUBACK for the last message: IoT Hub's "complete". */
        void complete() throws MqttException {
            client.messageArrivedComplete(last.getId(), last.getQos());
        }

        /** Gone without a word (and without acknowledging anything). */
        void drop() throws MqttException {
            client.disconnectForcibly(0, 0, false);
            client.close(true);
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect(1000);
            }
            client.close(true);
        }
    }

    @Test
    void withPahoUnacknowledgedGoesAgainAfterTheLockTimeoutAndAReconnectExpiredNeverCompletedNeverAgain() throws Exception {
        DeviceIdentity d = registered("c2d-paho");
        DeviceId id = d.deviceId();
        CloudToDeviceQueue queue = hub.cloudToDevice();

        ManualAckDevice first = new ManualAckDevice(d, false);
        assertThat(first.sessionPresent).as("no session kept yet").isFalse();
        first.subscribe(id);
        hub.devices().sendCloudToDevice(id, bytes("one"), Map.of()).join();
        assertThat(first.next()).isEqualTo("one");
        // not acknowledged: after the 1 s lock timeout it comes again on the same connection
        assertThat(first.next()).isEqualTo("one");
        first.drop();

        // clean session 0: the subscription was kept, CONNACK says so, and what was not completed comes again at once
        try (ManualAckDevice second = new ManualAckDevice(d, false)) {
            assertThat(second.sessionPresent).as("CONNACK session present").isTrue();
            assertThat(second.next()).isEqualTo("one");
            second.complete();
            Eventually.until("the PUBACK completed it", () -> queue.depth(id) == 0);
        }

        long expiredBefore = queue.expired();
        hub.devices().sendCloudToDevice(id, bytes("expiring"), Map.of(), Duration.ofSeconds(5)).join();
        clock.advance(Duration.ofSeconds(6)); // it waited past its time to live while the device was away
        try (ManualAckDevice third = new ManualAckDevice(d, true)) {
            assertThat(third.sessionPresent).as("clean session 1: nothing kept").isFalse();
            third.subscribe(id);
            hub.devices().sendCloudToDevice(id, bytes("marker"), Map.of()).join();
            assertThat(third.next()).as("neither the completed nor the expired message comes again").isEqualTo("marker");
            third.complete();
            Eventually.until("the marker completed", () -> queue.depth(id) == 0);
        }
        assertThat(queue.expired()).isEqualTo(expiredBefore + 1);
    }

    @Test
    void withTheAzureSdkAnUnacknowledgedMessageComesAgainAndACompletedOneNever() throws Exception {
        DeviceIdentity d = registered("c2d-sdk");
        DeviceId id = d.deviceId();
        SSLContext tls = TlsContexts.forDevice(d, pki.trustAnchors());
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        java.util.Set<String> refusedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

        // the SDK acknowledges (PUBACK) whatever the callback returns over MQTT; a callback that throws acknowledges nothing
        DeviceClient client = sdkClient(id, tls, delivered, refusedOnce, true);
        client.open(true);
        try {
            hub.devices().sendCloudToDevice(id, bytes("sdk-one"), Map.of()).join();
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("sdk-one"); // thrown: no PUBACK
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).as("again after the lock timeout").isEqualTo("sdk-one"); // completed
            Eventually.until("completed", () -> hub.cloudToDevice().depth(id) == 0);

            hub.devices().sendCloudToDevice(id, bytes("sdk-two"), Map.of()).join();
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("sdk-two"); // thrown: no PUBACK
        } finally {
            client.close(); // gone before the lock timed out
        }
        DeviceClient again = sdkClient(id, tls, delivered, refusedOnce, false);
        again.open(true);
        try {
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).as("again after the reconnect").isEqualTo("sdk-two");
            Eventually.until("completed", () -> hub.cloudToDevice().depth(id) == 0);
        } finally {
            again.close();
        }
        hub.devices().sendCloudToDevice(id, bytes("sdk-expiring"), Map.of(), Duration.ofSeconds(5)).join();
        clock.advance(Duration.ofSeconds(6)); // it waited past its time to live while the device was away
        DeviceClient third = sdkClient(id, tls, delivered, refusedOnce, false);
        third.open(true);
        try {
            hub.devices().sendCloudToDevice(id, bytes("sdk-marker"), Map.of()).join();
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).as("completed and expired ones never come").isEqualTo("sdk-marker");
        } finally {
            third.close();
        }
    }

    static DeviceClient sdkClient(DeviceId id, SSLContext tls, BlockingQueue<String> delivered, java.util.Set<String> refusedOnce,
                                  boolean refuseFirst) throws Exception {
        DeviceClient client = new DeviceClient("HostName=127.0.0.1;DeviceId=" + id + ";x509=true", IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(tls).build());
        client.setMessageCallback((message, context) -> {
            String body = new String(message.getBytes(), StandardCharsets.UTF_8);
            delivered.add(body);
            if (refuseFirst && refusedOnce.add(body)) {
                throw new IllegalStateException("the device fails to handle '" + body + "' this time");
            }
            return IotHubMessageResult.COMPLETE;
        }, null);
        return client;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

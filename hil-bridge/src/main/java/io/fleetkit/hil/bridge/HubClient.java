package io.fleetkit.hil.bridge;

import io.fleetkit.firmware.DpsRegistration;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.DeviceMessageTopics;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The physical device's network connection, made by the bridge on its behalf with its certificate
 * and key (Paho over TLS): registration through DPS, then the hub — telemetry and events published
 * with QoS 1, direct methods received and answered.
 */
final class HubClient implements AutoCloseable {
    /** A direct method for the device. */
    interface MethodListener {
        void call(MethodName method, RequestId requestId, byte[] payload);
    }

    /** Registration failed for good (refused), not for a passing reason. */
    static final class ProvisioningRefused extends Exception {
        ProvisioningRefused(String message) {
            super(message);
        }
    }

    private final RegistrationId registrationId;
    private final DeviceId deviceId;
    private final SSLContext tls;
    private final String endpoint;
    private final IdScope scope;
    private final MethodListener methods;
    private final Consumer<String> lost;
    private volatile MqttClient hub;

    /**
     * @param endpoint DPS and hub address as {@code host:port} (the hub's host is what DPS assigns; its port is this one)
     * @param lost     told when the hub connection drops on its own
     */
    HubClient(RegistrationId registrationId, SSLContext tls, String endpoint, IdScope scope, MethodListener methods, Consumer<String> lost) {
        this.registrationId = registrationId;
        this.deviceId = registrationId.toDeviceId();
        this.tls = tls;
        this.endpoint = endpoint;
        this.scope = scope;
        this.methods = methods;
        this.lost = lost;
    }

    /**
     * Registers through DPS and returns the assigned hub. What to publish and what each answer means is the firmware's
     * {@link DpsRegistration}; this only carries it over a blocking Paho client, waiting out each retry-after.
     */
    String provision(Duration timeout) throws MqttException, ProvisioningRefused, InterruptedException {
        BlockingQueue<MqttAnswer> answers = new LinkedBlockingQueue<>(16);
        MqttClient dps = new MqttClient("ssl://" + endpoint, registrationId.value(), new MemoryPersistence());
        try {
            dps.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    answers.offer(new MqttAnswer(topic, message.getPayload())); // one request at a time: more is a misbehaving DPS
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            dps.connect(options(DpsUsername.of(scope, registrationId).format()));
            dps.subscribe(TopicFilter.Fixed.DPS_RESPONSES.format(), 1);
            long deadline = System.nanoTime() + timeout.toNanos();
            DpsRegistration registration = new DpsRegistration(registrationId);
            publish(dps, registration.next());
            while (true) {
                MqttAnswer answer = answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (answer == null) {
                    throw new ProvisioningRefused("DPS did not answer within " + timeout.toSeconds() + " s");
                }
                if (!(Topic.tryParse(answer.topic()).orElse(null) instanceof DpsResponseTopic t)) {
                    continue;
                }
                DpsRegistration.Outcome outcome = registration.answer(t, answer.payload());
                if (outcome instanceof DpsRegistration.Outcome.Assigned assigned) {
                    return assigned.hub();
                } else if (outcome instanceof DpsRegistration.Outcome.Refused refused) {
                    throw new ProvisioningRefused(refused.reason());
                } else if (outcome instanceof DpsRegistration.Outcome.Pending pending) {
                    TimeUnit.MILLISECONDS.sleep(pending.retryAfter().toMillis());
                    publish(dps, registration.next());
                } else if (outcome instanceof DpsRegistration.Outcome.Throttled throttled) {
                    TimeUnit.MILLISECONDS.sleep(throttled.retryAfter().toMillis());
                    publish(dps, registration.next());
                } // Stale: an answer to an earlier request
            }
        } finally {
            if (dps.isConnected()) {
                dps.disconnect(1000);
            }
            dps.close();
        }
    }

    private record MqttAnswer(String topic, byte[] payload) {
    }

    private static void publish(MqttClient client, DpsRegistration.Request r) throws MqttException {
        client.publish(r.topic(), r.body(), 0, false);
    }

    /** Connects to the hub as the device and listens for direct methods. */
    void connect(String hubHost) throws MqttException {
        MqttClient c = new MqttClient("ssl://" + endpoint, deviceId.value(), new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.accept(cause == null ? "connection lost" : cause.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (Topic.tryParse(topic).orElse(null) instanceof MethodRequestTopic m) {
                    methods.call(m.methodName(), m.requestId(), message.getPayload());
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        c.connect(options(HubUsername.of(HubHostName.of(hubHost), deviceId, "fleetkit-hil").format()));
        c.subscribe(TopicFilter.Fixed.METHOD_REQUESTS.format(), 0);
        hub = c;
    }

    boolean isConnected() {
        MqttClient c = hub;
        return c != null && c.isConnected();
    }

    /** Publishes a device message with QoS 1; returns once the hub acknowledged it. */
    void publish(DeviceMessage m) throws MqttException {
        MqttClient c = hub;
        if (c == null) {
            throw new MqttException(MqttException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }
        c.publish(DeviceMessageTopics.topicFor(deviceId, m).format(), DeviceMessageCodec.CODEC.toJson(m), 1, false);
    }

    void respond(RequestId requestId, int status, byte[] payload) throws MqttException {
        MqttClient c = hub;
        if (c == null) {
            throw new MqttException(MqttException.REASON_CODE_CLIENT_NOT_CONNECTED);
        }
        c.publish(new MethodResponseTopic(status, requestId).format(), payload, 0, false);
    }

    void disconnect() {
        MqttClient c = hub;
        hub = null;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect(1000);
                }
                c.close();
            } catch (MqttException e) {
                // leaving anyway
            }
        }
    }

    private MqttConnectOptions options(String username) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(username);
        o.setSocketFactory(tls.getSocketFactory());
        o.setKeepAliveInterval(60);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false); // the bridge follows the device's link
        o.setConnectionTimeout(30);
        return o;
    }

    @Override
    public void close() {
        disconnect();
    }
}

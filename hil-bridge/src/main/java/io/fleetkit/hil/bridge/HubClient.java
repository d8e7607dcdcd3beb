package io.fleetkit.hil.bridge;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.dps.DpsCodecs;
import io.fleetkit.protocol.dps.RegisterRequest;
import io.fleetkit.protocol.dps.RegistrationOperation;
import io.fleetkit.protocol.dps.RegistrationStatus;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.DeviceMessageTopics;
import io.fleetkit.protocol.mqtt.DpsOperationStatusTopic;
import io.fleetkit.protocol.mqtt.DpsRegisterTopic;
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
import java.nio.charset.StandardCharsets;
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

    /** Registers through DPS (following 202, retry-after and 429) and returns the assigned hub. */
    String provision(Duration timeout) throws MqttException, ProvisioningRefused, InterruptedException {
        record Answer(String topic, byte[] payload) {
        }
        BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
        MqttClient dps = new MqttClient("ssl://" + endpoint, registrationId.value(), new MemoryPersistence());
        try {
            dps.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    answers.add(new Answer(topic, message.getPayload()));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            dps.connect(options(DpsUsername.of(scope, registrationId).format()));
            dps.subscribe(TopicFilter.Fixed.DPS_RESPONSES.format(), 1);
            long deadline = System.nanoTime() + timeout.toNanos();
            long rid = 1;
            String operation = null;
            dps.publish(new DpsRegisterTopic(RequestId.of(rid)).format(), DpsCodecs.REGISTER_REQUEST.toJson(RegisterRequest.of(registrationId)), 0, false);
            while (true) {
                Answer answer = answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (answer == null) {
                    throw new ProvisioningRefused("DPS did not answer within " + timeout.toSeconds() + " s");
                }
                DpsResponseTopic t = (DpsResponseTopic) Topic.parse(answer.topic());
                if (!t.requestId().equals(RequestId.of(rid))) {
                    continue;
                }
                Duration retryAfter = Duration.ofSeconds(t.retryAfterSeconds().orElse(2));
                if (t.status() == 429) {
                    Thread.sleep(retryAfter.toMillis());
                } else if (t.status() == 200 || t.status() == 202) {
                    RegistrationOperation op = DpsCodecs.OPERATION.fromJson(answer.payload());
                    if (op.status() == RegistrationStatus.ASSIGNED) {
                        return op.registrationState().flatMap(s -> s.assignedHub())
                                .orElseThrow(() -> new ProvisioningRefused("DPS assigned no hub"));
                    }
                    if (op.status() != RegistrationStatus.ASSIGNING && op.status() != RegistrationStatus.UNASSIGNED) {
                        throw new ProvisioningRefused("DPS registration ended " + op.status());
                    }
                    operation = op.operationId().value();
                    Thread.sleep(retryAfter.toMillis());
                } else {
                    throw new ProvisioningRefused("DPS refused the registration: " + t.status() + " "
                            + new String(answer.payload(), StandardCharsets.UTF_8));
                }
                rid++;
                if (operation == null) {
                    dps.publish(new DpsRegisterTopic(RequestId.of(rid)).format(),
                            DpsCodecs.REGISTER_REQUEST.toJson(RegisterRequest.of(registrationId)), 0, false);
                } else {
                    dps.publish(new DpsOperationStatusTopic(RequestId.of(rid), io.fleetkit.protocol.id.OperationId.of(operation)).format(),
                            new byte[0], 0, false);
                }
            }
        } finally {
            if (dps.isConnected()) {
                dps.disconnect(1000);
            }
            dps.close();
        }
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
                Topic t;
                try {
                    t = Topic.parse(topic);
                } catch (ProtocolException e) {
                    return;
                }
                if (t instanceof MethodRequestTopic m) {
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

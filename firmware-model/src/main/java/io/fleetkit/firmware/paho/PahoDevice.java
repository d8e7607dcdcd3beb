package io.fleetkit.firmware.paho;

import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.firmware.Action;
import io.fleetkit.firmware.DeviceRunner;
import io.fleetkit.firmware.Action.Link;
import io.fleetkit.firmware.Event;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.LifecycleState;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Runs one {@link Firmware} with the Eclipse Paho client, the way an embedded team's reference
 * implementation talks MQTT: one client per connection, callbacks for what arrives. Paho calls
 * back on its own threads; every event is handed to this device's single thread, which alone
 * calls the firmware and runs its timers.
 */
public final class PahoDevice extends DeviceRunner implements AutoCloseable {
    private final SSLContext tls;
    private final Clock clock;
    private final int port;
    private final Consumer<LifecycleState> stateListener;
    private volatile Consumer<String> log = line -> { };
    private final ScheduledExecutorService thread;
    private final Map<Link, MqttAsyncClient> clients = new EnumMap<>(Link.class);
    private final Map<MqttAsyncClient, IMqttDeliveryToken> lastPublish = new java.util.HashMap<>(); // device thread only

    /**
     * @param tls  the device's TLS context (its key and chain, trusting the hub's CA)
     * @param port of DPS and the hub (8883 for Azure)
     */
    public PahoDevice(Firmware firmware, SSLContext tls, Clock clock, int port, Consumer<LifecycleState> stateListener) {
        super(firmware, deviceThread(firmware));
        this.tls = tls;
        this.clock = clock;
        this.port = port;
        this.stateListener = stateListener;
        this.thread = executor();
    }

    private static ScheduledExecutorService deviceThread(Firmware firmware) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "device-" + firmware.deviceId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Receives a human-readable line for what the device does: connections, methods, LED, button. */
    public void setLog(Consumer<String> log) {
        this.log = log;
    }

    /** Powers off: closes connections, cancels timers, ends the device's thread. Closing again does nothing. */
    @Override
    public void close() {
        powerOffAndStop();
    }

    @Override
    protected void beforeDispatch(Event e) {
        if (e instanceof Event.MessageReceived m && Topic.tryParse(m.topic()).orElse(null) instanceof MethodRequestTopic call) {
            log.accept("method " + call.methodName().value() + " called with " + new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8));
        } else if (e instanceof Event.Connected c) {
            log.accept("connected to " + c.link());
        } else if (e instanceof Event.ConnectFailed f) {
            log.accept("connection to " + f.link() + " failed: " + f.reason());
        } else if (e instanceof Event.ConnectionLost l) {
            log.accept("connection to " + l.link() + " lost: " + l.reason());
        }
    }

    @Override
    protected void stateChanged(LifecycleState from, LifecycleState to) {
        log.accept("state " + to.name().toLowerCase().replace('_', ' '));
        stateListener.accept(to);
    }

    @Override
    protected void ledChanged(Action.SetLed l) {
        log.accept("LED " + l.mode().wireName() + (l.mode() == io.fleetkit.protocol.testport.TestPortMessage.LedMode.OFF ? ""
                : " " + l.color() + (l.periodMs() > 0 ? " every " + l.periodMs() + " ms" : "")));
    }

    @Override
    protected void closeConnections() {
        clients.values().forEach(PahoDevice::closeQuietly);
        clients.clear();
        lastPublish.clear();
    }

    @Override
    protected java.time.Instant now() {
        return clock.instant();
    }

    /** Hands an event from a Paho thread to the device's thread. */
    private void later(Event e) {
        if (!thread.isShutdown()) {
            thread.execute(() -> dispatch(e));
        }
    }

    @Override
    protected void transport(Action a) {
        try {
            if (a instanceof Action.Connect c) {
                connect(c);
            } else if (a instanceof Action.Disconnect d) {
                MqttAsyncClient client = clients.remove(d.link());
                if (client != null) {
                    // the firmware chose to disconnect (e.g. a reboot after answering the method): what it already
                    // published goes out first, as on the Netty transport. Paho's quiesce waits for QoS 1 only and its
                    // sender may put the close before a queued QoS 0 answer, so wait for the last publish to be written.
                    IMqttDeliveryToken last = lastPublish.remove(client);
                    if (last != null) {
                        try {
                            last.waitForCompletion(1000);
                        } catch (MqttException notSent) {
                            // the connection failed meanwhile: nothing more to wait for
                        }
                    }
                    closeQuietly(client, 200);
                }
            } else if (a instanceof Action.Subscribe s) {
                MqttAsyncClient client = clients.get(s.link());
                if (client != null) {
                    int[] qos = s.filters().stream().mapToInt(f -> 1).toArray();
                    client.subscribe(s.filters().toArray(new String[0]), qos, null, listener(client,
                            t -> new Event.SubscribeAcknowledged(s.link(), s.packetId(), t.getGrantedQos()), null));
                }
            } else if (a instanceof Action.Publish p) {
                MqttAsyncClient client = clients.get(p.link());
                if (client != null && client.isConnected()) {
                    MqttMessage m = new MqttMessage(p.payload());
                    m.setQos(p.qos());
                    if (Topic.tryParse(p.topic()).orElse(null) instanceof MethodResponseTopic answer) {
                        log.accept("answered " + answer.status() + " " + new String(p.payload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    lastPublish.put(client, client.publish(p.topic(), m, null, p.qos() == 0 ? null
                            : listener(client, t -> new Event.PublishAcknowledged(p.link(), p.packetId()), null)));
                }
            }
        } catch (MqttException e) {
            Link link = a instanceof Action.Subscribe s ? s.link() : a instanceof Action.Publish p ? p.link() : null;
            if (link != null && clients.containsKey(link)) {
                MqttAsyncClient failed = clients.remove(link);
                lastPublish.remove(failed);
                closeQuietly(failed);
                later(new Event.ConnectionLost(link, e.toString()));
            }
        }
    }

    private void connect(Action.Connect c) throws MqttException {
        MqttAsyncClient old = clients.remove(c.link());
        if (old != null) {
            lastPublish.remove(old);
            closeQuietly(old);
        }
        MqttAsyncClient client = new MqttAsyncClient("ssl://" + c.host() + ":" + port, c.clientId(), new MemoryPersistence());
        clients.put(c.link(), client);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                thread.execute(() -> {
                    if (clients.get(c.link()) == client) {
                        clients.remove(c.link());
                        dispatch(new Event.ConnectionLost(c.link(), String.valueOf(cause)));
                    }
                });
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                thread.execute(() -> {
                    if (clients.get(c.link()) == client) {
                        dispatch(new Event.MessageReceived(c.link(), topic, message.getPayload()));
                    }
                });
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(c.username());
        o.setSocketFactory(tls.getSocketFactory());
        o.setKeepAliveInterval(c.keepAliveSeconds());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false); // the firmware decides when and where to reconnect
        o.setConnectionTimeout(30);
        client.connect(o, null, listener(client, t -> new Event.Connected(c.link()),
                e -> new Event.ConnectFailed(c.link(), e instanceof MqttException m ? m.getReasonCode() : -1, String.valueOf(e))));
    }

    private IMqttActionListener listener(MqttAsyncClient client, java.util.function.Function<IMqttToken, Event> success,
                                         java.util.function.Function<Throwable, Event> failure) {
        return new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                thread.execute(() -> {
                    if (clients.containsValue(client)) {
                        dispatch(success.apply(token));
                    }
                });
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                if (failure != null) {
                    thread.execute(() -> {
                        Link link = clients.entrySet().stream().filter(x -> x.getValue() == client).map(Map.Entry::getKey).findFirst().orElse(null);
                        if (link != null) {
                            clients.remove(link);
                            closeQuietly(client);
                            dispatch(failure.apply(e));
                        }
                    });
                }
            }
        };
    }

    private static void closeQuietly(MqttAsyncClient client) {
        closeQuietly(client, 0);
    }

    /** Closes without a DISCONNECT packet, after up to {@code quiesceMillis} for queued publishes. */
    private static void closeQuietly(MqttAsyncClient client, long quiesceMillis) {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(quiesceMillis, 1000, false);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // already closed
        }
    }
}

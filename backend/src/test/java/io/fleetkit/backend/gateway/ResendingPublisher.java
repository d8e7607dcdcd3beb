package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLContext;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * A device that sends QoS 1 telemetry {@code seq} 1, 2, 3 … as fast as its window allows and, like real
 * firmware, keeps what is not acknowledged: when the hub drops the connection it connects again (after
 * 200 ms) and sends every unacknowledged message again. Records which sequence numbers were
 * acknowledged (PUBACK), which is what the hub promised to keep. Runs on its own thread until
 * {@link #stop}.
 */
final class ResendingPublisher implements AutoCloseable {
    private final int port;
    private final DeviceId id;
    private final SSLContext tls;
    private final int window;
    private final IntFunction<byte[]> padding;
    private final long nanosBetween;
    private final NavigableSet<Long> acknowledged = new ConcurrentSkipListSet<>();
    private final NavigableSet<Long> unacknowledged = new ConcurrentSkipListSet<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long connections;
    private final Instant start = Instant.now();

    /**
     * @param padding   extra bytes after message {@code seq}'s JSON body (spaces), or null for none
     * @param perSecond new messages a second at most, or 0 for as fast as the window allows
     */
    ResendingPublisher(int port, DeviceId id, SSLContext tls, int window, IntFunction<byte[]> padding, int perSecond) {
        this.nanosBetween = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
        this.port = port;
        this.id = id;
        this.tls = tls;
        this.window = window;
        this.padding = padding;
        this.thread = new Thread(this::run, "publisher-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = 1;
        while (running.get()) {
            MqttAsyncClient client = null;
            try {
                client = new MqttAsyncClient("ssl://127.0.0.1:" + port, id.value(), new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setSocketFactory(tls.getSocketFactory());
                o.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), id, null).format());
                o.setMaxInflight(window * 2 + 10); // Paho counts a message in flight a little past its completion
                o.setConnectionTimeout(10);
                o.setAutomaticReconnect(false);
                client.connect(o).waitForCompletion(15_000);
                connections++;
                // first what the last connection left unacknowledged, in order, then new messages
                for (Long seq : unacknowledged) {
                    send(client, seq);
                }
                long due = System.nanoTime();
                while (running.get() && client.isConnected()) {
                    if (unacknowledged.size() >= window || System.nanoTime() < due) {
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000_000, Math.max(1_000, due - System.nanoTime())));
                        continue;
                    }
                    due += nanosBetween;
                    long seq = next++;
                    unacknowledged.add(seq);
                    send(client, seq);
                }
            } catch (MqttException | RuntimeException e) {
                // refused, dropped or timed out: connect again below
            } finally {
                close(client);
            }
            if (running.get()) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
            }
        }
    }

    private void send(MqttAsyncClient client, long seq) throws MqttException {
        byte[] body = DeviceMessageCodec.CODEC.toJson(new Telemetry(seq, start.plusMillis(seq),
                Map.of("temperature", Reading.of(20 + seq % 10))));
        if (padding != null) {
            byte[] pad = padding.apply((int) seq);
            byte[] padded = new byte[body.length + pad.length];
            System.arraycopy(body, 0, padded, 0, body.length);
            System.arraycopy(pad, 0, padded, body.length, pad.length); // JSON allows trailing whitespace
            body = padded;
        }
        MqttMessage m = new MqttMessage(body);
        m.setQos(1);
        client.publish("devices/" + id + "/messages/events/type=telemetry", m, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                acknowledged.add(seq);
                unacknowledged.remove(seq);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                // stays unacknowledged: sent again on the next connection
            }
        });
    }

    private static void close(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            client.disconnectForcibly(0, 0, false);
        } catch (MqttException ignored) {
            // already gone
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // already closed
        }
    }

    NavigableSet<Long> acknowledged() {
        return acknowledged;
    }

    long connections() {
        return connections;
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join(20_000);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

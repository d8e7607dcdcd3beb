package io.fleetkit.hil.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attaches the device on a test port to a hub as an ordinary device. The bridge holds the
 * device's certificate and key; when the device says hello it registers through DPS (once) and
 * connects to the hub; it publishes what the device sends (telemetry, lifecycle, alerts,
 * presence) with QoS 1, passes direct methods down as METHOD_REQUEST frames and the device's
 * METHOD_RESPONSE back as the method's result. When the link goes, the hub connection goes too —
 * the hub then answers calls with 404, as for any offline device, and a device that stays silent
 * gets the hub's 504. Button, LED and log frames are surfaced to the {@link Observer}; a button
 * press can be injected. Every frame can be recorded.
 * <p>
 * Whenever the link opens the bridge sends a HELLO of its own (naming the device it expects);
 * the device answers with its HELLO, so a device that was already running is found too.
 */
public final class Bridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PENDING_CALLS = 1000;
    static final int PROTOCOL_VERSION = 1;
    private static final String BRIDGE_VERSION = "1";

    /**
     * @param endpoint where DPS and the hub listen, {@code host:port}
     */
    public record Config(DeviceIdentity identity, Collection<X509Certificate> trustAnchors, String endpoint, IdScope scope,
                         Duration provisioningTimeout) {
        public Config {
            Objects.requireNonNull(identity, "identity");
            trustAnchors = List.copyOf(trustAnchors);
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(provisioningTimeout, "provisioningTimeout");
        }
    }

    /** What the bridge sees; called on the link's or the bridge's threads, so keep it quick. */
    public interface Observer {
        default void linkUp(String port) {
        }

        default void linkDown(String reason) {
        }

        default void hello(TestPortMessage.Hello hello) {
        }

        default void online(String hub) {
        }

        default void offline(String reason) {
        }

        /** A device message, published and acknowledged by the hub. */
        default void relayed(DeviceMessage message) {
        }

        default void methodCalled(MethodName method, long requestId) {
        }

        default void methodAnswered(long requestId, int status) {
        }

        /** The physical button, pressed or released by a person at the bench. */
        default void button(TestPortMessage.ButtonAction action) {
        }

        default void led(TestPortMessage.Led led) {
        }

        default void log(TestPortMessage.Log log) {
        }

        default void corrupt(String reason, int bytes) {
        }

        /** Something the bridge could not do, and why (it carries on). */
        default void problem(String what) {
        }
    }

    /** Counters since start. */
    public record Stats(TestPortLink.Stats link, long relayed, long relayFailures, long methodsCalled, long methodsAnswered) {
    }

    private final Config config;
    private final Observer observer;
    private final TestPortLink link;
    private final HubClient hub;
    private final ExecutorService upstream; // provisioning, connecting, publishing: in order, off the link's reader
    private final Map<Long, RequestId> pendingCalls = new LinkedHashMap<>(); // synchronized on itself
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong relayFailures = new AtomicLong();
    private final AtomicLong methodsCalled = new AtomicLong();
    private final AtomicLong methodsAnswered = new AtomicLong();
    private volatile String assignedHub;
    private volatile boolean attached; // the device said hello with the right id

    public Bridge(Port port, TestPortLink.Options options, Config config, Observer observer, FrameRecorder recorder) {
        this.config = config;
        this.observer = Objects.requireNonNull(observer, "observer");
        this.link = new TestPortLink(port, options, new LinkEvents());
        if (recorder != null) {
            link.record(recorder);
        }
        this.hub = new HubClient(config.identity().registrationId(), TlsContexts.forDevice(config.identity(), config.trustAnchors()),
                config.endpoint(), config.scope(), this::methodFromHub, reason -> observer.offline("hub connection lost: " + reason));
        this.upstream = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bridge-upstream-" + config.identity().deviceId());
            t.setDaemon(true);
            return t;
        });
    }

    public Bridge start() {
        link.start();
        return this;
    }

    /** Presses the device's button from the bridge (no one at the bench). */
    public void pressButton() throws IOException {
        link.send(new TestPortMessage.Button(TestPortMessage.ButtonAction.PRESSED));
        link.send(new TestPortMessage.Button(TestPortMessage.ButtonAction.RELEASED));
    }

    public boolean isOnline() {
        return hub.isConnected();
    }

    public Stats stats() {
        return new Stats(link.stats(), relayed.get(), relayFailures.get(), methodsCalled.get(), methodsAnswered.get());
    }

    private final class LinkEvents implements TestPortLink.Listener {
        @Override
        public void received(TestPortMessage message) {
            fromDevice(message);
        }

        @Override
        public void corrupt(String reason, int bytes) {
            observer.corrupt(reason, bytes);
        }

        @Override
        public void up(String port) {
            observer.linkUp(port);
            // a device that booted before the bridge opened the port said hello to no one: ask again
            try {
                link.send(new TestPortMessage.Hello(PROTOCOL_VERSION, config.identity().deviceId(), BRIDGE_VERSION, "fleetkit-bridge"));
            } catch (IOException e) {
                observer.problem("cannot greet the device: " + e.getMessage());
            }
        }

        @Override
        public void down(String reason) {
            attached = false;
            observer.linkDown(reason);
            upstream.execute(() -> {
                if (hub.isConnected()) {
                    hub.disconnect();
                    observer.offline("the test port is down: " + reason);
                }
            });
        }
    }

    private void fromDevice(TestPortMessage message) {
        if (message instanceof TestPortMessage.Hello h) {
            observer.hello(h);
            if (!h.deviceId().equals(config.identity().deviceId())) {
                attached = false;
                observer.problem("the device says it is '" + h.deviceId() + "', but the bridge holds the identity of '"
                        + config.identity().deviceId() + "'; not connecting it");
                return;
            }
            attached = true;
            upstream.execute(this::ensureOnline);
        } else if (message instanceof TestPortMessage.Message m) {
            if (!attached) {
                observer.problem("a " + m.message().type().wireName() + " message before the device's hello: not relayed");
                return;
            }
            upstream.execute(() -> relay(m.message()));
        } else if (message instanceof TestPortMessage.MethodResult r) {
            RequestId rid;
            synchronized (pendingCalls) {
                rid = pendingCalls.remove(r.requestId());
            }
            if (rid == null) {
                observer.problem("an answer to request " + r.requestId() + ", which the bridge did not send or has forgotten");
                return;
            }
            byte[] payload = r.payload().map(JsonNode::toString).orElse("null").getBytes(StandardCharsets.UTF_8);
            upstream.execute(() -> {
                try {
                    hub.respond(rid, r.status(), payload);
                    methodsAnswered.incrementAndGet();
                    observer.methodAnswered(r.requestId(), r.status());
                } catch (MqttException e) {
                    observer.problem("the answer to request " + r.requestId() + " could not reach the hub: " + e.getMessage());
                }
            });
        } else if (message instanceof TestPortMessage.Button b) {
            observer.button(b.action());
        } else if (message instanceof TestPortMessage.Led l) {
            observer.led(l);
        } else if (message instanceof TestPortMessage.Log l) {
            observer.log(l);
        } else if (message instanceof TestPortMessage.MethodCall) {
            observer.problem("the device sent a method request; only the bridge sends those");
        }
    }

    /** Upstream thread: registers once, then connects to the assigned hub. */
    private boolean ensureOnline() {
        if (hub.isConnected()) {
            return true;
        }
        try {
            if (assignedHub == null) {
                assignedHub = hub.provision(config.provisioningTimeout());
                LOG.info("device {} registered through DPS: hub {}", config.identity().deviceId(), assignedHub);
            }
            hub.connect(assignedHub);
            observer.online(assignedHub);
            return true;
        } catch (HubClient.ProvisioningRefused e) {
            observer.problem("registration of " + config.identity().deviceId() + " failed: " + e.getMessage());
        } catch (MqttException e) {
            observer.problem("cannot connect " + config.identity().deviceId() + " to " + (assignedHub == null ? "DPS" : assignedHub)
                    + " at " + config.endpoint() + ": " + e.getMessage() + " (code " + e.getReasonCode() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void relay(DeviceMessage m) {
        if (!ensureOnline()) {
            relayFailures.incrementAndGet();
            return;
        }
        try {
            hub.publish(m);
            relayed.incrementAndGet();
            observer.relayed(m);
        } catch (MqttException e) {
            relayFailures.incrementAndGet();
            observer.problem("a " + m.type().wireName() + " message (seq " + m.seq() + ") could not be published: " + e.getMessage());
        }
    }

    /** Paho's thread: a direct method for the device goes down the link. */
    private void methodFromHub(MethodName method, RequestId rid, byte[] payload) {
        long id = nextCallId.getAndIncrement();
        Optional<JsonNode> body;
        try {
            JsonNode n = payload.length == 0 ? null : JSON.readTree(payload);
            body = n == null || n.isNull() ? Optional.empty() : Optional.of(n);
        } catch (IOException e) {
            body = Optional.of(JSON.getNodeFactory().textNode(new String(payload, StandardCharsets.UTF_8)));
        }
        synchronized (pendingCalls) {
            pendingCalls.put(id, rid);
            if (pendingCalls.size() > MAX_PENDING_CALLS) { // the hub has long timed these out
                pendingCalls.remove(pendingCalls.keySet().iterator().next());
            }
        }
        try {
            link.send(new TestPortMessage.MethodCall(id, method, body));
            methodsCalled.incrementAndGet();
            observer.methodCalled(method, id);
        } catch (IOException e) {
            synchronized (pendingCalls) {
                pendingCalls.remove(id);
            }
            observer.problem("method " + method.value() + " could not be passed to the device: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        link.close();
        upstream.shutdown();
        try {
            upstream.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hub.close();
    }
}

package io.fleetkit.firmware.testport;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.firmware.Action;
import io.fleetkit.firmware.DeviceRunner;
import io.fleetkit.firmware.Event;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.Hardware;
import io.fleetkit.firmware.Action.Link;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.TelemetryTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * The reference firmware as a device behind a test port: the same {@link Firmware}, with the
 * bridge as its network. What it would publish goes out as TELEMETRY / EVENT frames, its method
 * answers as METHOD_RESPONSE frames, its LED as LED frames; METHOD_REQUEST frames reach it as
 * method calls and an injected BUTTON press as a press. "Connected" means the test port is up.
 * <p>
 * Link-agnostic: the owner passes frames in with {@link #fromBridge}, says when the link comes and
 * goes, and sends what {@link FrameSink} is given. This is the embedded team's reference for what
 * a firmware's test port does.
 */
public final class TestPortDevice extends DeviceRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestPortDevice.class);
    /** The "hub" a test-port device is assigned: the bridge stands in for its network. */
    public static final String BRIDGE = "bridge.test-port";
    public static final int PROTOCOL_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the device's frames go: the link. Throws when the link cannot take them. */
    @FunctionalInterface
    public interface FrameSink {
        void send(TestPortMessage message) throws IOException;
    }

    private final Clock clock;
    private final FrameSink sink;
    private volatile boolean linkUp;
    private boolean connected; // device thread only

    /**
     * @param firmware a firmware made by {@link #firmware}: assigned to {@link #BRIDGE}, so it never provisions itself
     */
    public TestPortDevice(Firmware firmware, Clock clock, FrameSink sink) {
        super(firmware, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-port-device-" + firmware.deviceId());
            t.setDaemon(true);
            return t;
        }));
        this.clock = clock;
        this.sink = sink;
    }

    /**
     * The reference firmware for a device behind a test port: its flash already names the bridge
     * as its hub, and it retries the bridge for ever (it has no DPS of its own).
     */
    public static Firmware firmware(FirmwareConfig config, Hardware hardware, MethodOverrides overrides, RandomGenerator random) {
        FirmwareConfig behindBridge = config.withSameHubRetry(Duration.ofDays(36_500));
        NonVolatileState flash = NonVolatileState.factory((int) config.model().telemetryInterval().toSeconds()).withHub(BRIDGE);
        return new Firmware(behindBridge, hardware, flash, overrides, random);
    }

    /** The link is up: a device waiting to retry connects now (its network became available). */
    public void linkUp() {
        linkUp = true;
        post(() -> {
            if (state() == io.fleetkit.firmware.LifecycleState.BACKOFF) {
                dispatch(new Event.TimerFired(io.fleetkit.firmware.Timer.RECONNECT));
            }
        });
    }

    /** The link went away: the device loses its connection and retries. */
    public void linkDown(String reason) {
        linkUp = false;
        post(() -> {
            if (connected) {
                connected = false;
                dispatch(new Event.ConnectionLost(Link.HUB, reason));
            }
        });
    }

    /** A frame from the bridge. */
    public void fromBridge(TestPortMessage message) {
        post(() -> received(message));
    }

    private void received(TestPortMessage message) {
        if (message instanceof TestPortMessage.MethodCall call) {
            if (!connected) {
                return; // not online: the call is lost, as it would be on the network
            }
            String topic = "$iothub/methods/POST/" + call.method().value() + "/?$rid=" + Long.toString(call.requestId());
            byte[] payload = call.payload().map(JsonNode::toString).orElse("null").getBytes(StandardCharsets.UTF_8);
            dispatch(new Event.MessageReceived(Link.HUB, topic, payload));
        } else if (message instanceof TestPortMessage.Button b && b.action() == TestPortMessage.ButtonAction.PRESSED) {
            dispatch(new Event.ButtonPressed());
        } else if (message instanceof TestPortMessage.Hello) {
            if (connected) {
                send(hello()); // the bridge (re)started and asks who is there; not yet connected: the connect says hello
            }
        } else if (message instanceof TestPortMessage.Ping p && !p.reply()) {
            send(new TestPortMessage.Ping(p.seq(), true));
        } else {
            LOG.debug("device {} ignores {}", firmware().deviceId(), message);
        }
    }

    @Override
    protected void transport(Action action) {
        if (action instanceof Action.Connect c) {
            if (c.link() == Link.HUB && linkUp && send(hello())) {
                connected = true;
                post(() -> dispatch(new Event.Connected(Link.HUB)));
            } else {
                String why = c.link() == Link.HUB ? "the test port is down" : "a device behind a test port has no DPS of its own";
                post(() -> dispatch(new Event.ConnectFailed(c.link(), -1, why)));
            }
        } else if (action instanceof Action.Subscribe s) {
            int[] granted = new int[s.filters().size()];
            java.util.Arrays.fill(granted, 1);
            post(() -> dispatch(new Event.SubscribeAcknowledged(s.link(), s.packetId(), granted)));
        } else if (action instanceof Action.Publish p) {
            publish(p);
        } else if (action instanceof Action.Disconnect) {
            connected = false;
        }
    }

    private void publish(Action.Publish p) {
        Topic topic;
        try {
            topic = Topic.parse(p.topic());
        } catch (ProtocolException e) {
            return;
        }
        boolean sent;
        if (topic instanceof TelemetryTopic) {
            DeviceMessage m = DeviceMessageCodec.CODEC.fromJson(p.payload());
            sent = send(new TestPortMessage.Message(m));
        } else if (topic instanceof MethodResponseTopic r) {
            sent = send(new TestPortMessage.MethodResult(Long.parseLong(r.requestId().value()), r.status(), json(p.payload())));
        } else {
            return; // twin and other topics: not carried by the test port
        }
        if (sent && p.qos() == 1) {
            // the test port has no acknowledgement: a frame written is a frame delivered (the bridge retries upstream)
            post(() -> dispatch(new Event.PublishAcknowledged(Link.HUB, p.packetId())));
        }
    }

    private static Optional<JsonNode> json(byte[] payload) {
        try {
            JsonNode n = JSON.readTree(payload);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
        } catch (IOException e) {
            return Optional.of(JSON.getNodeFactory().textNode(new String(payload, StandardCharsets.UTF_8)));
        }
    }

    private TestPortMessage.Hello hello() {
        var model = firmware().config().model();
        return new TestPortMessage.Hello(PROTOCOL_VERSION, firmware().deviceId(), model.firmwareVersion(), model.id());
    }

    private boolean send(TestPortMessage m) {
        try {
            sink.send(m);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("device {}: frame {} not sent: {}", firmware().deviceId(), m.frameType(), e.toString());
            return false;
        }
    }

    @Override
    protected void ledChanged(Action.SetLed led) {
        send(new TestPortMessage.Led(led.mode(), led.color(), led.periodMs()));
    }

    @Override
    protected void closeConnections() {
        connected = false;
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    /** Powers off and ends the device's thread; closing again does nothing. */
    @Override
    public void close() {
        powerOffAndStop();
    }
}

package io.fleetkit.backend.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.hub.IngestBudget;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.TelemetryTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.mqtt.TwinGetTopic;
import io.fleetkit.protocol.mqtt.TwinReportedPatchTopic;
import io.fleetkit.protocol.mqtt.TwinResponseTopic;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A device's session with the hub, after {@link ConnectHandler} accepted it: the hub dialect's
 * PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT. A device may publish only telemetry
 * under its own id, method responses and twin requests, and subscribe only to its own filters;
 * anything else ends the connection (publish) or gets a SUBACK failure (subscribe).
 *
 * <p>Event loop only. Payloads are copied out of Netty's buffers here; nothing past this handler
 * sees a ByteBuf.
 */
final class HubSessionHandler extends MqttSessionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HubSessionHandler.class);
    private static final long ACTIVITY_RESOLUTION_NANOS = 1_000_000_000L;
    private boolean activityRecorded; // event loop only
    private long lastActivityRecorded;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HubSession session;
    private final MqttDeviceCommands hub;
    private final DeviceToCloudSink sink;
    private final Clock clock;
    private final int maxPayloadBytes;
    private final Throttles throttles;
    private final int maxInflight;
    private final IngestBudget budget;
    private final StageTimings.Series appended;
    private final StageTimings.Series pubackWritten;
    private int inflight; // telemetry handed to the sink (or waiting for a throttle) and not yet completed; event loop only
    private boolean waitingForBudget; // event loop only

    HubSessionHandler(HubSession session, MqttDeviceCommands hub, DeviceToCloudSink sink, Clock clock, int maxPayloadBytes,
                      Throttles throttles, int maxInflight, IngestBudget budget, StageTimings.Series appended,
                      StageTimings.Series pubackWritten) {
        this.session = session;
        this.hub = hub;
        this.sink = sink;
        this.clock = clock;
        this.maxPayloadBytes = maxPayloadBytes;
        this.throttles = throttles;
        this.maxInflight = maxInflight;
        this.budget = budget;
        this.appended = appended;
        this.pubackWritten = pubackWritten;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        hub.attach(session);
        hub.registry().connected(session.deviceId(), clock.instant());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        hub.detach(session);
        hub.registry().disconnected(session.deviceId(), clock.instant());
        ctx.fireChannelInactive();
    }

    /** A PUBACK completes the cloud-to-device message it acknowledges (IoT Hub over MQTT: PUBACK is "complete"). */
    @Override
    protected void pubAck(ChannelHandlerContext ctx, int packetId) {
        String messageId = session.acknowledged(packetId);
        if (messageId != null) {
            hub.completeCloudToDevice(session.deviceId(), messageId);
        }
    }

    @Override
    protected String who() {
        return "device " + session.deviceId();
    }

    @Override
    protected Logger log() {
        return LOG;
    }

    @Override
    protected void activity() {
        // a device's last activity to the second is what anyone reads; recording every message costs a sorted-map update each
        long now = System.nanoTime();
        if (activityRecorded && now - lastActivityRecorded < ACTIVITY_RESOLUTION_NANOS) {
            return;
        }
        activityRecorded = true;
        lastActivityRecorded = now;
        hub.registry().activity(session.deviceId(), clock.instant());
    }

    @Override
    protected void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
        String topicName = p.variableHeader().topicName();
        MqttQoS qos = p.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            refuse(ctx, "QoS 2 is not supported (publish to '" + topicName + "')");
            return;
        }
        int size = p.payload().readableBytes();
        if (size > maxPayloadBytes) {
            refuse(ctx, "publish of " + size + " bytes exceeds the " + maxPayloadBytes + "-byte limit");
            return;
        }
        Topic topic;
        try {
            topic = Topic.parse(topicName);
        } catch (ProtocolException e) {
            refuse(ctx, e.getMessage());
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(p.payload());
        int packetId = p.variableHeader().packetId();
        if (topic instanceof TelemetryTopic t) {
            telemetry(ctx, t, payload, qos, packetId);
            return;
        }
        if (topic instanceof MethodResponseTopic r) {
            hub.methodResponse(session.deviceId(), r.requestId(), r.status(), payload);
        } else if (topic instanceof TwinGetTopic g) {
            LOG.debug("device {}: twin GET $rid={}", session.deviceId(), g.requestId());
            if (!hub.offEventLoop(() -> reply(new TwinResponseTopic(200, g.requestId(), OptionalLong.empty()).format(),
                    hub.twin(session.deviceId()).toJson().toString().getBytes(StandardCharsets.UTF_8)))) {
                twinThrottled(g.requestId());
            }
        } else if (topic instanceof TwinReportedPatchTopic patch) {
            if (!hub.offEventLoop(() -> twinPatch(patch, payload))) {
                twinThrottled(patch.requestId());
            }
        } else {
            refuse(ctx, "a device may not publish to '" + topicName + "'");
            return;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            ctx.writeAndFlush(MqttPackets.pubAck(packetId));
        }
    }

    /** Device-to-cloud telemetry: to the sink, counted against the connection's in-flight limit and the ingest budget. */
    private void telemetry(ChannelHandlerContext ctx, TelemetryTopic t, byte[] payload, MqttQoS qos, int packetId) {
        if (!t.deviceId().equals(session.deviceId())) {
            refuse(ctx, "publish to another device's topic '" + t.format() + "'");
            return;
        }
        long accepted = System.nanoTime();
        DeviceToCloudMessage message = new DeviceToCloudMessage(session.deviceId(), t.moduleId(), t.properties(), payload,
                clock.instant());
        Throttles.Verdict v = throttles.send();
        if (v instanceof Throttles.Verdict.Refuse) {
            refuse(ctx, "device-to-cloud sends throttled (" + throttles.profile().name() + ")");
            return;
        }
        inflight++;
        if (budget.hold(payload.length) && !waitingForBudget) {
            waitingForBudget = true;
            budget.whenAvailable(() -> ctx.executor().execute(() -> {
                waitingForBudget = false;
                updateReading(ctx);
            }));
        }
        updateReading(ctx);
        if (v instanceof Throttles.Verdict.Delay d) {
            ctx.executor().schedule(() -> deliver(ctx, message, qos, packetId, accepted), d.nanos(), TimeUnit.NANOSECONDS);
        } else {
            deliver(ctx, message, qos, packetId, accepted);
        }
    }

    /**
     * Hands a message to the sink; PUBACKs once the sink has it. When the sink fails (the stream cannot store it) the
     * device gets no PUBACK and is disconnected with the reason: in MQTT 3.1.1 a device sends an unacknowledged message
     * again only on a new connection, so staying connected would leave it waiting for a PUBACK that never comes.
     */
    private void deliver(ChannelHandlerContext ctx, DeviceToCloudMessage message, MqttQoS qos, int packetId, long accepted) {
        CompletionStage<Void> stored;
        try {
            stored = sink.accept(message);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((ok, failure) -> {
            long appendedAt = System.nanoTime();
            ctx.executor().execute(() -> completed(ctx, message, qos, packetId, failure, accepted, appendedAt));
        });
    }

    /** The sink has the message (or failed to take it): on the event loop, the PUBACK, or the refusal. */
    private void completed(ChannelHandlerContext ctx, DeviceToCloudMessage message, MqttQoS qos, int packetId, Throwable failure,
                           long accepted, long appendedAt) {
        inflight--;
        budget.release(message.body().length);
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            refuse(ctx, "message not stored, no PUBACK (" + cause.getMessage() + ")");
            return;
        }
        appended.record((appendedAt - accepted) / 1000);
        if (qos == MqttQoS.AT_LEAST_ONCE && ctx.channel().isActive()) {
            ctx.writeAndFlush(MqttPackets.pubAck(packetId)).addListener(written -> {
                if (written.isSuccess()) {
                    pubackWritten.record((System.nanoTime() - appendedAt) / 1000);
                }
            });
        }
        updateReading(ctx);
    }

    /**
     * Reads from the device only while it has fewer than the limit of messages in flight and the hub's ingest budget has
     * room: over either, the device waits (TCP backpressure) instead of the hub queueing its messages.
     */
    private void updateReading(ChannelHandlerContext ctx) {
        boolean read = inflight < maxInflight && !waitingForBudget;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void twinPatch(TwinReportedPatchTopic patch, byte[] payload) {
        JsonNode body;
        try {
            body = JSON.readTree(payload);
        } catch (IOException e) {
            body = null;
        }
        if (!(body instanceof ObjectNode o)) {
            String error = "{\"errorCode\":400004,\"message\":\"a reported-properties patch must be a JSON object\"}";
            reply(new TwinResponseTopic(400, patch.requestId(), OptionalLong.empty()).format(), error.getBytes(StandardCharsets.UTF_8));
            return;
        }
        long version = hub.twins().patchReported(session.deviceId(), o);
        reply(new TwinResponseTopic(204, patch.requestId(), OptionalLong.of(version)).format(), new byte[0]);
    }

    /** The hub's twin work is backed up (a slow store): IoT Hub's throttling answer, 429, and the device tries again. */
    private void twinThrottled(io.fleetkit.protocol.id.RequestId rid) {
        reply(new TwinResponseTopic(429, rid, OptionalLong.empty()).format(),
                "{\"errorCode\":429001,\"message\":\"twin operations are throttled: the hub's store is behind\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void reply(String topic, byte[] payload) {
        if (session.isSubscribed(TopicFilter.Fixed.TWIN_RESPONSES)) {
            session.publish(topic, MqttQoS.AT_MOST_ONCE, payload);
        } else {
            LOG.info("device {}: twin answer '{}' dropped: not subscribed to $iothub/twin/res/#", session.deviceId(), topic);
        }
    }

    @Override
    protected void subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage s) {
        List<Integer> granted = new ArrayList<>();
        boolean devicebound = false;
        for (MqttTopicSubscription sub : s.payload().topicSubscriptions()) {
            TopicFilter filter = allowed(sub.topicName());
            if (filter == null) {
                LOG.info("device {}: subscription to '{}' refused", session.deviceId(), sub.topicName());
                granted.add(MqttPackets.SUBACK_FAILURE);
                continue;
            }
            session.subscribe(filter);
            devicebound |= filter instanceof TopicFilter.Devicebound;
            granted.add(Math.min(sub.qualityOfService().value(), 1));
        }
        ctx.writeAndFlush(MqttPackets.subAck(s.variableHeader().messageId(), granted));
        if (devicebound) {
            hub.deliverCloudToDevice(session);
        }
    }

    /** The filter, if this device may subscribe to it on the hub. */
    private TopicFilter allowed(String text) {
        try {
            TopicFilter f = TopicFilter.parse(text);
            if (f instanceof TopicFilter.Devicebound d) {
                return d.deviceId().equals(session.deviceId()) ? f : null;
            }
            return f == TopicFilter.Fixed.DPS_RESPONSES ? null : f;
        } catch (ProtocolException e) {
            return null;
        }
    }

    @Override
    protected void unsubscribe(ChannelHandlerContext ctx, MqttUnsubscribeMessage u) {
        for (String text : u.payload().topics()) {
            TopicFilter f = allowed(text);
            if (f != null) {
                session.unsubscribe(f);
            }
        }
        ctx.writeAndFlush(MqttPackets.unsubAck(((MqttMessageIdVariableHeader) u.variableHeader()).messageId()));
    }
}

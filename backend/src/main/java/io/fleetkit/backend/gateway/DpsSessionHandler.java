package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.dps.DpsReply;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsOperationStatusTopic;
import io.fleetkit.protocol.mqtt.DpsRegisterTopic;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.id.RequestId;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A device's session with DPS: subscribe to {@code $dps/registrations/res/#}, publish register
 * and status requests, receive the answers. Requests go to {@link DpsService} on the auth
 * executor (attestation validates signatures); answers come back on the event loop.
 */
final class DpsSessionHandler extends MqttSessionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DpsSessionHandler.class);

    private final RegistrationId registrationId;
    private final List<X509Certificate> chain;
    private final DpsService dps;
    private final Executor authExecutor;
    private final RefusalLog refusals;
    private int inflight; // requests handed to DPS and not yet answered; event loop only

    DpsSessionHandler(RegistrationId registrationId, List<X509Certificate> chain, DpsService dps, Executor authExecutor,
                      RefusalLog refusals) {
        this.registrationId = registrationId;
        this.chain = List.copyOf(chain);
        this.dps = dps;
        this.authExecutor = authExecutor;
        this.refusals = refusals;
    }

    @Override
    protected String who() {
        return "DPS registration " + registrationId;
    }

    @Override
    protected Logger log() {
        return LOG;
    }

    @Override
    protected void unsubscribe(ChannelHandlerContext ctx, MqttUnsubscribeMessage u) {
        ctx.writeAndFlush(MqttPackets.unsubAck(u.variableHeader().messageId()));
    }

    @Override
    protected void subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage s) {
        List<Integer> granted = new ArrayList<>();
        for (MqttTopicSubscription sub : s.payload().topicSubscriptions()) {
            boolean ok = sub.topicName().equals(TopicFilter.Fixed.DPS_RESPONSES.format());
            if (!ok) {
                LOG.info("DPS registration {}: subscription to '{}' refused", registrationId, sub.topicName());
            }
            granted.add(ok ? Math.min(sub.qualityOfService().value(), 1) : MqttPackets.SUBACK_FAILURE);
        }
        ctx.writeAndFlush(MqttPackets.subAck(s.variableHeader().messageId(), granted));
    }

    @Override
    protected void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
        String topicName = p.variableHeader().topicName();
        if (p.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE) {
            refuse(ctx, "QoS 2 is not supported");
            return;
        }
        Topic topic;
        try {
            topic = Topic.parse(topicName);
        } catch (ProtocolException e) {
            refuse(ctx, e.getMessage());
            return;
        }
        byte[] body = ByteBufUtil.getBytes(p.payload());
        if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
            ctx.writeAndFlush(MqttPackets.pubAck(p.variableHeader().packetId()));
        }
        if (topic instanceof DpsRegisterTopic r) {
            answer(ctx, r.requestId(), () -> dps.register(registrationId, chain, body));
        } else if (topic instanceof DpsOperationStatusTopic s) {
            answer(ctx, s.requestId(), () -> dps.poll(registrationId, s.operationId()));
        } else {
            refuse(ctx, "a device may not publish to '" + topicName + "' on DPS");
        }
    }

    /**
     * Runs a request on the auth executor and publishes its answer. One request at a time is read (the channel stops reading
     * while one is in flight); a client that has sent more than {@link #MAX_INFLIGHT} at once is disconnected. After a 401 —
     * no enrollment matches the certificate — nothing more is read and the connection is closed a second after the answer: Azure DPS over MQTT accepts the
     * CONNECT and refuses the registration with 401 / errorCode 401002 (see the README), and a stranger is never left holding
     * a session to send more.
     */
    private void answer(ChannelHandlerContext ctx, RequestId rid, Supplier<DpsReply> request) {
        if (++inflight > MAX_INFLIGHT) {
            refuse(ctx, "more than " + MAX_INFLIGHT + " DPS requests at once");
            return;
        }
        ctx.channel().config().setAutoRead(false);
        authExecutor.execute(() -> {
            DpsReply reply = request.get();
            ctx.executor().execute(() -> {
                inflight--;
                if (ctx.channel().isActive()) {
                    String topic = new DpsResponseTopic(reply.status(), rid, reply.retryAfterSeconds()).format();
                    var written = ctx.writeAndFlush(MqttPackets.publish(ctx.alloc(), topic, MqttQoS.AT_MOST_ONCE, 0, reply.body()));
                    if (reply.status() == 401) {
                        // not read from again; closed after a grace for the client to take the answer in (Paho hands a
                        // message to its callback on another thread, and drops it when the connection closes first)
                        written.addListener(f -> ctx.executor().schedule(() -> {
                            ctx.close();
                        }, UNAUTHORIZED_GRACE_MILLIS, TimeUnit.MILLISECONDS));
                    } else if (inflight == 0) {
                        ctx.channel().config().setAutoRead(true);
                    }
                }
                if (reply.status() == 429) {
                    LOG.debug("DPS registration {}: throttled", registrationId); // counted; a burst would flood the log
                } else if (reply.status() >= 400) {
                    refusals.refused("DPS " + reply.status(), "DPS registration {} from {}: {} {}{}", registrationId,
                            ctx.channel().remoteAddress(), reply.status(), reply.bodyText(), reply.status() == 401 ? "; disconnected" : "");
                }
            });
        });
    }

    /** How long a client no enrollment matches keeps its connection after its 401 answer, reading nothing. */
    static final long UNAUTHORIZED_GRACE_MILLIS = 1000;

    /** Requests a DPS client may have sent before their answers; a well-behaved one sends one at a time. */
    static final int MAX_INFLIGHT = 4;
}

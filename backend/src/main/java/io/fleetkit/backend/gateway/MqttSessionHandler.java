package io.fleetkit.backend.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;

/**
 * What the hub and DPS sessions share after CONNECT: malformed packets and keep-alive expiry
 * end the connection, PINGREQ is answered, DISCONNECT closes, every message is released here.
 * Subclasses handle PUBLISH, SUBSCRIBE and UNSUBSCRIBE. Event loop only.
 */
abstract class MqttSessionHandler extends ChannelInboundHandlerAdapter {

    /** Who this session is, for log lines: "device dev-1", "DPS registration dev-1". */
    protected abstract String who();

    protected abstract Logger log();

    protected abstract void publish(ChannelHandlerContext ctx, MqttPublishMessage p);

    protected abstract void subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage s);

    protected abstract void unsubscribe(ChannelHandlerContext ctx, MqttUnsubscribeMessage u);

    /** A QoS 1 publish to the device arrived: its PUBACK. */
    protected void pubAck(ChannelHandlerContext ctx, int packetId) {
    }

    /** Called for every well-formed packet before it is handled. */
    protected void activity() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log().info("{}: keep-alive expired (nothing received for 1.5 × keep-alive); closing", who());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            MqttMessage m = (MqttMessage) msg;
            if (m.decoderResult().isFailure()) {
                refuse(ctx, "malformed MQTT packet: " + m.decoderResult().cause().getMessage());
                return;
            }
            activity();
            switch (m.fixedHeader().messageType()) {
                case PUBLISH -> publish(ctx, (MqttPublishMessage) m);
                case SUBSCRIBE -> subscribe(ctx, (MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> unsubscribe(ctx, (MqttUnsubscribeMessage) m);
                case PINGREQ -> ctx.writeAndFlush(MqttPackets.pingResp());
                case PUBACK -> pubAck(ctx, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case DISCONNECT -> ctx.close();
                default -> refuse(ctx, "unexpected " + m.fixedHeader().messageType() + " packet");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Ends the connection with one log line. */
    protected final void refuse(ChannelHandlerContext ctx, String reason) {
        log().warn("{} disconnected: {}", who(), reason);
        ctx.close();
    }
}

package io.fleetkit.backend.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;

/**
 * The gateway's pipeline, built in one place, one handler per concern:
 * <pre>
 * tls → flush-consolidation → pre-connect → mqtt-decoder → mqtt-encoder → connect (then: keep-alive, session) → errors
 * </pre>
 * {@code pre-connect} ({@link PreConnectGuard}) bounds what an unauthenticated peer may do and goes at CONNACK.
 */
final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
    /** Room for the topic and headers on top of the largest payload. */
    private static final int HEADER_ALLOWANCE = 16 * 1024;

    private final SslContext tls;
    private final GatewayContext gateway;

    GatewayChannelInitializer(SslContext tls, GatewayContext gateway) {
        this.tls = tls;
        this.gateway = gateway;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("tls", tls.newHandler(ch.alloc()))
                // PUBACKs arrive as tasks from the stream's writer, a batch at a time: one flush, one TLS record and one
                // write for those queued together instead of one each
                .addLast("flush-consolidation", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                .addLast(PreConnectGuard.NAME, gateway.preConnectGuard())
                .addLast("mqtt-decoder", new MqttDecoder(gateway.maxPayloadBytes() + HEADER_ALLOWANCE))
                .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                .addLast("connect", new ConnectHandler(gateway))
                .addLast("errors", GatewayExceptionHandler.INSTANCE);
    }
}

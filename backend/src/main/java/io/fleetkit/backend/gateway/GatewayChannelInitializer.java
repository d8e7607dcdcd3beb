package io.fleetkit.backend.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's pipeline, built in one place, one handler per concern:
 * <pre>
 * tls → connect-timeout → mqtt-decoder → mqtt-encoder → connect (then: keep-alive, session) → errors
 * </pre>
 */
final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
    /** A client must finish the TLS handshake and send CONNECT within this time. */
    static final int CONNECT_TIMEOUT_SECONDS = 30;
    /** The name of that handler, which {@link ConnectHandler} removes once a session starts. */
    static final String CONNECT_TIMEOUT = "connect-timeout";
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
                .addLast(CONNECT_TIMEOUT, new ReadTimeoutHandler(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .addLast("mqtt-decoder", new MqttDecoder(gateway.maxPayloadBytes() + HEADER_ALLOWANCE))
                .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                .addLast("connect", new ConnectHandler(gateway))
                .addLast("errors", GatewayExceptionHandler.INSTANCE);
    }
}

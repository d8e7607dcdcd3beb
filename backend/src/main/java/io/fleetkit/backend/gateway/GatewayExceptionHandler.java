package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.protocol.FleetkitException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;

/**
 * The last handler, and the MQTT edge's one translation of failures that no handler answered itself (a handler that can
 * answer — a CONNACK code, a DPS status — does): whatever a connection throws ends that connection, with one log line, and
 * nothing else. A {@link FleetkitException} that is the client's fault (malformed input) is logged as the device's doing,
 * a server fault as the server's. Stray messages that reach it are released.
 */
@ChannelHandler.Sharable
final class GatewayExceptionHandler extends ChannelInboundHandlerAdapter {
    static final GatewayExceptionHandler INSTANCE = new GatewayExceptionHandler();
    private static final Logger LOG = LoggerFactory.getLogger(GatewayExceptionHandler.class);
    private static final RefusalLog TLS_FAILURES = new RefusalLog(LOG, java.time.Duration.ofSeconds(10));

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof IOException && !(root instanceof SSLException)) {
            LOG.debug("connection from {} lost: {}", ctx.channel().remoteAddress(), root.toString());
        } else if (root instanceof SSLException || root instanceof NotSslRecordException) {
            // before authentication: anyone can cause these, as fast as they can connect
            TLS_FAILURES.refused("TLS failed", "TLS with {} failed: {}", ctx.channel().remoteAddress(), root.getMessage());
        } else if (root instanceof FleetkitException f && f.isClientFault()) {
            LOG.info("connection from {} closed: it sent what the hub refuses ({}): {}", ctx.channel().remoteAddress(),
                    f.kind().type(), f.getMessage());
        } else {
            LOG.warn("connection from {} closed after an error of the server's: {}", ctx.channel().remoteAddress(), root.toString());
        }
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}

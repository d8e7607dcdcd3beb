package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.fleetkit.backend.admission.RefusalLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What a connection may do before its CONNECT is accepted, when nobody knows who it is yet:
 * <ul>
 * <li>it is accepted only while fewer than {@link GatewayLimits#maxConnections()} connections are open (and counted
 * until it closes, CONNACK or not); else it is closed at once;</li>
 * <li>it is admitted only while fewer than the caps of such connections are open, overall and from its
 * source address ({@link ConnectionAdmission}); else it is closed at once;</li>
 * <li>it must be accepted within {@link GatewayLimits#connectDeadline()} of the TCP accept — a hard
 * deadline: bytes trickled in do not extend it;</li>
 * <li>it may send at most {@link GatewayLimits#maxPreConnectBytes()} bytes (after TLS) before then, so
 * the MQTT decoder never buffers a large packet for a stranger.</li>
 * </ul>
 * {@link ConnectHandler} calls {@link #authenticated} on CONNACK 0, which removes this handler and frees
 * the slot; a connection that closes first frees it then. Sits after TLS, before the MQTT decoder.
 * Event loop only.
 */
final class PreConnectGuard extends ChannelInboundHandlerAdapter {
    static final String NAME = "pre-connect";

    private final GatewayLimits limits;
    private final ConnectionAdmission admission;
    private final RefusalLog refusals;
    private SocketAddress remote;
    private boolean admitted;
    private long received;
    private ScheduledFuture<?> deadline;

    PreConnectGuard(GatewayLimits limits, ConnectionAdmission admission, RefusalLog refusals) {
        this.limits = limits;
        this.admission = admission;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        remote = ctx.channel().remoteAddress();
        String full = admission.open();
        if (full != null) {
            refusals.refused("connection limit", "connection from {} closed at accept: {}", remote, full);
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> admission.closed());
        String refused = admission.admit(remote);
        if (refused != null) {
            refusals.refused("connection refused at accept", "connection from {} closed at accept: {}", remote, refused);
            ctx.close();
            return;
        }
        admitted = true;
        deadline = ctx.executor().schedule(() -> {
            refusals.refused("no CONNACK in time", "connection from {} closed: not authenticated within {} s of accepting it",
                    remote, limits.connectDeadline().toSeconds());
            ctx.close();
        }, limits.connectDeadline().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            received += b.readableBytes();
            if (received > limits.maxPreConnectBytes()) {
                ReferenceCountUtil.release(msg);
                refusals.refused("too many bytes before CONNACK", "connection from {} closed: more than {} bytes before its CONNECT "
                        + "was accepted", remote, limits.maxPreConnectBytes());
                ctx.close();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        free();
        ctx.fireChannelInactive();
    }

    /** The CONNECT was accepted: no deadline, no byte budget, no slot any more. */
    static void authenticated(ChannelHandlerContext anyHandler) {
        PreConnectGuard guard = anyHandler.pipeline().get(PreConnectGuard.class);
        if (guard != null) {
            guard.free();
            anyHandler.pipeline().remove(guard);
        }
    }

    private void free() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (admitted) {
            admitted = false;
            admission.release(remote);
        }
    }
}

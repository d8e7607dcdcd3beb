package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.pki.Certificates;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The first packet of every connection: CONNECT. Reads the username and the TLS client
 * certificate chain, lets {@link ConnectAuthorizer} decide on the auth executor (reading stops
 * meanwhile), then answers CONNACK and either replaces itself with the hub or DPS session
 * handler, or refuses with the matching return code, one log line, and closes.
 */
final class ConnectHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);
    private static final double KEEP_ALIVE_GRACE = 1.5;
    /** The protocol level of MQTT 3.1.1 in a CONNECT. */
    static final int MQTT_3_1_1 = 4;
    private static final byte[] CONNACK_UNACCEPTABLE_PROTOCOL_VERSION = {0x20, 0x02, 0x00, 0x01};

    private final GatewayContext gateway;
    private final Function<ChannelHandlerContext, Supplier<List<X509Certificate>>> peerChain;
    private boolean connecting;
    private boolean accepted;
    /**
     * Packets that came after the CONNECT, before its CONNACK: a client may send them without waiting (MQTT 3.1.1 §3.1.4),
     * so they are held and handed to the session once it is installed — or dropped unprocessed if the CONNECT is refused
     * [MQTT-3.1.4-5]. Bounded by the {@link PreConnectGuard}'s byte budget before CONNACK.
     */
    private final ArrayDeque<Object> early = new ArrayDeque<>();
    private boolean throttleChecked;
    private boolean recorded;
    private final String connectionId = HubSession.newConnectionId();
    private boolean cleanSession = true;

    ConnectHandler(GatewayContext gateway) {
        this(gateway, ConnectHandler::tlsPeerChain);
    }

    /**
     * @param peerChain where the client certificate chain comes from (the TLS session; tests give one): read on the
     *                  event loop, the supplier it returns runs on the auth executor
     */
    ConnectHandler(GatewayContext gateway, Function<ChannelHandlerContext, Supplier<List<X509Certificate>>> peerChain) {
        this.gateway = gateway;
        this.peerChain = peerChain;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MqttMessage first = (MqttMessage) msg;
        if (connecting && first.decoderResult().isSuccess() && first.fixedHeader().messageType() != MqttMessageType.CONNECT) {
            early.add(msg);
            return;
        }
        try {
            MqttMessage m = first;
            if (m.decoderResult().isFailure()) {
                Throwable cause = m.decoderResult().cause();
                if (cause instanceof MqttUnacceptableProtocolVersionException) {
                    refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "MQTT version not supported (3.1.1 is)");
                } else if (cause instanceof MqttIdentifierRejectedException) {
                    refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "client id rejected: " + cause.getMessage());
                } else {
                    close(ctx, "malformed MQTT packet before CONNECT completed: " + cause.getMessage());
                }
                return;
            }
            if (m.fixedHeader().messageType() != MqttMessageType.CONNECT) {
                close(ctx, "expected CONNECT first, got " + m.fixedHeader().messageType());
                return;
            }
            if (connecting) {
                close(ctx, "a second CONNECT (MQTT 3.1.1 §3.1.0: a protocol violation)");
                return;
            }
            MqttConnectMessage c = (MqttConnectMessage) m;
            if (c.variableHeader().version() != MQTT_3_1_1) {
                refuseVersion(ctx, c.variableHeader().version());
                return;
            }
            connect(ctx, c);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void connect(ChannelHandlerContext ctx, MqttConnectMessage c) {
        connecting = true;
        String username = c.payload().userName();
        String clientId = c.payload().clientIdentifier();
        int keepAlive = c.variableHeader().keepAliveTimeSeconds();
        cleanSession = c.variableHeader().isCleanSession();
        Supplier<List<X509Certificate>> chain = peerChain.apply(ctx);
        ctx.channel().config().setAutoRead(false);
        gateway.authExecutor().execute(() -> {
            ConnectDecision d;
            try {
                d = gateway.authorizer().decide(username, clientId, chain.get());
            } catch (RuntimeException e) {
                d = new ConnectDecision.Refused(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "internal error: " + e);
            }
            ConnectDecision decision = d;
            ctx.executor().execute(() -> complete(ctx, decision, keepAlive));
        });
    }

    private void complete(ChannelHandlerContext ctx, ConnectDecision decision, int keepAlive) {
        if (!ctx.channel().isActive()) {
            if (recorded && decision instanceof ConnectDecision.Hub h) {
                gateway.hub().directory().disconnected(h.deviceId(), connectionId); // gone before its CONNACK
            }
            return;
        }
        if (decision instanceof ConnectDecision.Refused r) {
            refuse(ctx, r.code(), r.reason());
            return;
        }
        if (decision instanceof ConnectDecision.Hub && gateway.dpsOnly()) {
            refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "this port serves DPS only");
            return;
        }
        if (decision instanceof ConnectDecision.Hub && !throttleChecked) {
            Throttles.Verdict v = gateway.throttles().connect();
            if (v instanceof Throttles.Verdict.Refuse) {
                refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        "new connections throttled (" + gateway.throttles().profile().name() + ")");
                return;
            }
            throttleChecked = true;
            if (v instanceof Throttles.Verdict.Delay d) {
                ctx.executor().schedule(() -> complete(ctx, decision, keepAlive), d.nanos(), TimeUnit.NANOSECONDS);
                return;
            }
        }
        if (decision instanceof ConnectDecision.Hub h && !recorded && gateway.hub().directory().isShared()) {
            recorded = true;
            recordInDirectory(ctx, h, keepAlive);
            return;
        }
        ChannelHandler session;
        boolean sessionPresent = false;
        if (decision instanceof ConnectDecision.Hub h) {
            session = gateway.hubSession(h, ctx.channel(), cleanSession, connectionId);
            // IoT Hub keeps a clean-session-0 device's subscriptions while it is away and says so in CONNACK
            sessionPresent = !cleanSession && gateway.hub().hasKeptSession(h.deviceId());
            LOG.debug("device {} connected from {}", h.deviceId(), ctx.channel().remoteAddress());
        } else {
            ConnectDecision.Dps dps = (ConnectDecision.Dps) decision;
            session = gateway.dpsSession(dps.registrationId(), dps.chain());
        }
        ctx.writeAndFlush(MqttPackets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, sessionPresent));
        PreConnectGuard.authenticated(ctx);
        long idle = Math.round(effectiveKeepAlive(keepAlive, gateway.limits()).toMillis() * KEEP_ALIVE_GRACE);
        ctx.pipeline().addBefore(ctx.name(), "keep-alive", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
        accepted = true;
        // reading resumes first: the session may pause it again while it takes the early packets (handlerRemoved)
        ctx.channel().config().setAutoRead(true);
        ctx.pipeline().replace(this, "session", session);
    }

    /**
     * A hub of several processes: the connection goes into the shared directory before its CONNACK (off the event loop; the
     * directory closes an older connection of the device on another node), or is refused when the directory cannot be written.
     */
    private void recordInDirectory(ChannelHandlerContext ctx, ConnectDecision.Hub h, int keepAlive) {
        byte[] der;
        try {
            der = h.certificate() == null ? null : h.certificate().getEncoded();
        } catch (CertificateEncodingException e) {
            refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "the device certificate cannot be encoded");
            return;
        }
        gateway.authExecutor().execute(() -> {
            ConnectDecision next = h;
            try {
                gateway.hub().directory().connecting(h.deviceId(), connectionId, der);
            } catch (RuntimeException e) {
                next = new ConnectDecision.Refused(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        "the cluster's connection directory cannot be written: " + e.getMessage());
            }
            ConnectDecision decided = next;
            ctx.executor().execute(() -> complete(ctx, decided, keepAlive));
        });
    }

    /**
     * Replaced by the session: the packets that came early go to it, in order (a replaced handler's context forwards to
     * its replacement). Removed otherwise (refused, closed): they are released unprocessed.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object m; (m = early.poll()) != null; ) {
            if (accepted && ctx.channel().isActive()) {
                ctx.fireChannelRead(m);
            } else {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /**
     * The keep-alive the gateway holds a connection to: the device's, at most the limit's maximum; a device that asks for
     * none (0) gets the maximum too, so no connection idles for ever (MQTT 3.1.1 §3.1.2.10: "a Server is permitted to
     * disconnect a Client that it determines to be inactive or non-responsive at any time, regardless of the Keep Alive
     * value provided by that Client").
     */
    static java.time.Duration effectiveKeepAlive(int requestedSeconds, GatewayLimits limits) {
        java.time.Duration requested = java.time.Duration.ofSeconds(requestedSeconds);
        return requestedSeconds == 0 || requested.compareTo(limits.maxKeepAlive()) > 0 ? limits.maxKeepAlive() : requested;
    }

    /** The peer chain's bytes, copied on the event loop; parsed by the supplier, on the auth executor. */
    private static Supplier<List<X509Certificate>> tlsPeerChain(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        List<byte[]> encoded = new ArrayList<>();
        if (ssl != null) {
            try {
                // copies of the bytes (no parsing here): parsing the session's own lazy certificates would keep the
                // parsed chain in the TLS session for the connection's life, ~5 KB of heap per connection
                for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                    encoded.add(c.getEncoded());
                }
            } catch (SSLPeerUnverifiedException none) {
                // no client certificate: the authorizer refuses
            } catch (CertificateEncodingException unreadable) {
                encoded.clear(); // the authorizer refuses an empty chain
            }
        }
        return () -> {
            try {
                return encoded.stream().map(Certificates::fromDer).toList();
            } catch (IllegalArgumentException | ProtocolException unreadable) {
                return List.of(); // the authorizer refuses an empty chain
            }
        };
    }

    /**
     * IoT Hub speaks MQTT 3.1.1 (protocol level 4). Netty's decoder accepts levels 3 and 5 too, so the level is checked
     * here. MQTT 3.1.1 §3.1.2.2: "The Server MUST respond to the CONNECT Packet with a CONNACK return code 0x01
     * (unacceptable protocol level) and then disconnect the Client if the Protocol Level is not supported". The CONNACK
     * goes out in 3.1.1's encoding ({@code 20 02 00 01}) as raw bytes: after an MQTT 5 CONNECT, Netty's encoder would
     * write a version-5 CONNACK with properties.
     */
    private void refuseVersion(ChannelHandlerContext ctx, int level) {
        gateway.refusals().refused("CONNECT refused: " + MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                "CONNECT from {} refused (CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION): MQTT protocol level {} is not "
                + "supported (IoT Hub speaks MQTT 3.1.1, level 4)", ctx.channel().remoteAddress(), level);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONNACK_UNACCEPTABLE_PROTOCOL_VERSION)).addListener(ChannelFutureListener.CLOSE);
    }

    private void refuse(ChannelHandlerContext ctx, MqttConnectReturnCode code, String reason) {
        gateway.refusals().refused("CONNECT refused: " + code, "CONNECT from {} refused ({}): {}", ctx.channel().remoteAddress(), code, reason);
        ctx.writeAndFlush(MqttPackets.connAck(code)).addListener(ChannelFutureListener.CLOSE);
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        gateway.refusals().refused("closed before CONNECT", "connection from {} closed: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}

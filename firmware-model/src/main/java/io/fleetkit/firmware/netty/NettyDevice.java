package io.fleetkit.firmware.netty;

import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.firmware.Action;
import io.fleetkit.firmware.DeviceRunner;
import io.fleetkit.firmware.Action.Link;
import io.fleetkit.firmware.Event;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.LifecycleState;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/**
 * Runs one {@link Firmware} over Netty: carries out its actions (connections with the device's
 * own certificate, MQTT packets, timers) and turns what happens on the wire into its events.
 * Every device lives on one event loop, with all its connections and timers, so the firmware is
 * only ever called from that thread; thousands of devices share a few loops.
 */
public final class NettyDevice extends DeviceRunner {
    /** Notified on the device's event loop: state changes, and what a swarm measures. */
    public interface Listener {
        void stateChanged(NettyDevice device, LifecycleState from, LifecycleState to);

        /** A connection attempt on {@code link} ended: accepted after {@code nanos}, or failed with {@code reason}. */
        default void connected(Link link, long nanos) {
        }

        default void connectFailed(Link link, String reason) {
        }

        /** A QoS 1 message was acknowledged {@code nanos} after it was sent. */
        default void acknowledged(long nanos) {
        }

        default void published() {
        }

        /** DPS answered with this status (429s are throttling). */
        default void dpsAnswered(int status) {
        }
    }

    private final EventLoop loop;
    private final SwarmTls tls;
    private final Clock clock;
    private final int port;
    private final InetSocketAddress localAddress;
    private final Listener listener;
    private final Map<Link, Channel> channels = new EnumMap<>(Link.class);
    private final Map<Integer, Long> inFlight = new java.util.HashMap<>(); // QoS 1 packet id → send time, event loop only

    /**
     * @param port         the port of DPS and the hub (8883 for Azure; the embedded hub serves both on one)
     * @param localAddress source address to connect from (spread a swarm over 127.0.0.x), or null
     */
    public NettyDevice(Firmware firmware, EventLoop loop, SwarmTls tls, Clock clock, int port, InetSocketAddress localAddress,
                       Listener listener) {
        super(firmware, loop);
        this.loop = loop;
        this.tls = tls;
        this.clock = clock;
        this.port = port;
        this.localAddress = localAddress;
        this.listener = listener;
    }

    /** Powers the device off: closes its connections and cancels its timers. */
    public void stop() {
        loop.execute(this::powerOff);
    }

    @Override
    protected void closeConnections() {
        channels.values().forEach(Channel::close);
        channels.clear();
    }

    @Override
    protected java.time.Instant now() {
        return clock.instant();
    }

    @Override
    protected void stateChanged(LifecycleState from, LifecycleState to) {
        listener.stateChanged(this, from, to);
    }

    @Override
    protected void transport(Action a) {
        if (a instanceof Action.Connect c) {
            connect(c);
        } else if (a instanceof Action.Disconnect d) {
            Channel ch = channels.remove(d.link());
            if (ch != null) {
                ch.close();
            }
        } else if (a instanceof Action.Subscribe s) {
            Channel ch = channels.get(s.link());
            if (ch != null) {
                var b = MqttMessageBuilders.subscribe().messageId(s.packetId());
                s.filters().forEach(f -> b.addSubscription(MqttQoS.AT_LEAST_ONCE, f));
                ch.writeAndFlush(b.build());
            }
        } else if (a instanceof Action.Publish p) {
            Channel ch = channels.get(p.link());
            if (ch != null && ch.isActive()) {
                if (p.qos() == 1) {
                    inFlight.put(p.packetId(), System.nanoTime());
                    listener.published();
                }
                // built directly: MqttMessageBuilders.publish() copies the payload and never releases the buffer it is given
                MqttQoS qos = MqttQoS.valueOf(p.qos());
                ch.writeAndFlush(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
                        new MqttPublishVariableHeader(p.topic(), qos == MqttQoS.AT_MOST_ONCE ? -1 : p.packetId()),
                        Unpooled.wrappedBuffer(p.payload())));
            }
        }
    }

    private void connect(Action.Connect c) {
        long started = System.nanoTime();
        Channel old = channels.remove(c.link());
        if (old != null) {
            old.close();
        }
        var future = DeviceConnections.open(loop, c.host(), port, localAddress, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslHandler ssl = tls.newHandler(ch.alloc(), c.host(), port, c.clientId());
                ch.pipeline().addLast("tls", ssl)
                        .addLast("mqtt-decoder", new MqttDecoder(300 * 1024))
                        .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                        .addLast("keep-alive", new IdleStateHandler(0, c.keepAliveSeconds(), 0))
                        .addLast("device", new Session(c, ch, ssl, started));
            }
        });
        Channel ch = future.channel();
        channels.put(c.link(), ch);
        future.addListener(f -> {
            if (!f.isSuccess() && channels.get(c.link()) == ch) {
                channels.remove(c.link());
                listener.connectFailed(c.link(), f.cause().getClass().getSimpleName());
                dispatch(new Event.ConnectFailed(c.link(), -1, f.cause().toString()));
            }
        });
    }

    /** One MQTT connection of this device; its events count only while it is the device's current connection. */
    private final class Session extends SimpleChannelInboundHandler<MqttMessage> {
        private final Action.Connect connect;
        private final Channel channel;
        private final SslHandler ssl;
        private final long started;
        private boolean accepted;

        Session(Action.Connect connect, Channel channel, SslHandler ssl, long started) {
            this.connect = connect;
            this.channel = channel;
            this.ssl = ssl;
            this.started = started;
        }

        private boolean current() {
            return channels.get(connect.link()) == channel;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                            .clientId(connect.clientId()).hasUser(true).username(connect.username())
                            .cleanSession(true).keepAlive(connect.keepAliveSeconds()).build());
                } else if (current()) {
                    channels.remove(connect.link());
                    listener.connectFailed(connect.link(), "TLS handshake");
                    dispatch(new Event.ConnectFailed(connect.link(), -1, "TLS: " + f.cause()));
                    ctx.close();
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (!current()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> {
                    MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
                    if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        accepted = true;
                        listener.connected(connect.link(), System.nanoTime() - started);
                        dispatch(new Event.Connected(connect.link()));
                    } else {
                        channels.remove(connect.link());
                        listener.connectFailed(connect.link(), "CONNACK " + code.name());
                        dispatch(new Event.ConnectFailed(connect.link(), code.byteValue() & 0xFF, code.name()));
                        ctx.close();
                    }
                }
                case SUBACK -> {
                    MqttSubAckMessage ack = (MqttSubAckMessage) msg;
                    dispatch(new Event.SubscribeAcknowledged(connect.link(), ack.variableHeader().messageId(),
                            ack.payload().grantedQoSLevels().stream().mapToInt(Integer::intValue).toArray()));
                }
                case PUBACK -> {
                    int id = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
                    Long sentAt = inFlight.remove(id);
                    if (sentAt != null) {
                        listener.acknowledged(System.nanoTime() - sentAt);
                    }
                    dispatch(new Event.PublishAcknowledged(connect.link(), id));
                }
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                        ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
                                MqttMessageIdVariableHeader.from(p.variableHeader().packetId())));
                    }
                    String topic = p.variableHeader().topicName();
                    // a malformed answer is not counted here: the firmware reports it its own way
                    if (connect.link() == Link.DPS && Topic.tryParse(topic).orElse(null) instanceof DpsResponseTopic answer) {
                        listener.dpsAnswered(answer.status());
                    }
                    dispatch(new Event.MessageReceived(connect.link(), topic, ByteBufUtil.getBytes(p.payload())));
                }
                default -> { }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current()) {
                channels.remove(connect.link());
                inFlight.clear();
                if (!accepted) {
                    listener.connectFailed(connect.link(), "closed before CONNACK");
                }
                dispatch(accepted ? new Event.ConnectionLost(connect.link(), "closed by the server")
                        : new Event.ConnectFailed(connect.link(), -1, "closed before CONNACK"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

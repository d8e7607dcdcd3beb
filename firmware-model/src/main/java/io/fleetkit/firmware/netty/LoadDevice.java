package io.fleetkit.firmware.netty;

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
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A device reduced to what a load run against any MQTT 3.1.1 broker needs: a TLS connection with
 * its own client certificate (the swarm's {@link SwarmTls}), CONNECT, and QoS 1 publishing — either
 * closed loop (keep {@code window} messages unacknowledged until told to stop) or one message at a
 * time (open loop, paced by the caller). No firmware, no DPS: the same generator drives the fleetkit
 * hub and the peers it is compared with. Everything after {@link #connect} runs on the device's
 * event loop; the public methods hop onto it.
 */
public final class LoadDevice {
    /** What a load run counts; called on the device's event loop. */
    public interface Listener {
        /** A QoS 1 message was acknowledged {@code nanos} after it was written. */
        void acknowledged(long nanos);
    }

    private final EventLoop loop;
    private final String topic;
    private final Listener listener;
    private Channel channel;
    /** The most messages in flight whose acknowledgement times are measured; the closed loop's window is capped to it. */
    public static final int MAX_WINDOW = 1000;
    private static final int SLOTS = 1024;
    private long[] sentAt; // write time by packet id modulo SLOTS, made on the first publish (idle devices carry none); event loop only
    private int nextPacketId = 1;
    private int inFlight;
    private int window;
    private Supplier<byte[]> payloads;
    private CompletableFuture<Void> drained;

    private LoadDevice(EventLoop loop, String topic, Listener listener) {
        this.loop = loop;
        this.topic = topic;
        this.listener = listener;
    }

    /**
     * Opens a TLS connection as {@code deviceId} (registered with {@code tls}) and sends CONNECT
     * with a clean session; completes with the device once CONNACK accepts it, exceptionally with
     * the refusal or failure otherwise.
     *
     * @param localAddress source address (spread many devices over 127.0.0.x), or null
     * @param username     the MQTT user name (the hub's {@code {hub}/{id}/?api-version=…}; brokers without authentication ignore it)
     * @param topic        where this device publishes
     */
    public static CompletableFuture<LoadDevice> connect(EventLoop loop, SwarmTls tls, String host, int port, InetSocketAddress localAddress,
                                                        String deviceId, String username, String topic, Listener listener) {
        LoadDevice device = new LoadDevice(loop, topic, listener);
        CompletableFuture<LoadDevice> connected = new CompletableFuture<>();
        var future = DeviceConnections.open(loop, host, port, localAddress, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslHandler ssl = tls.newHandler(ch.alloc(), host, port, deviceId);
                ch.pipeline().addLast("tls", ssl)
                        .addLast("mqtt-decoder", new MqttDecoder())
                        .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                        .addLast("device", device.new Session(ssl, deviceId, username, connected));
            }
        });
        device.channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                connected.completeExceptionally(f.cause());
            }
        });
        return connected;
    }

    /** Keeps {@code window} messages unacknowledged, each from {@code payloads}, until {@link #stop}. */
    public void publishClosedLoop(int window, Supplier<byte[]> payloads) {
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be 1–" + MAX_WINDOW + ", was " + window);
        }
        loop.execute(() -> {
            this.window = window;
            this.payloads = payloads;
            fill();
        });
    }

    /** Publishes one message now, whatever is in flight (an open-loop generator paces the calls). */
    public void publishOne(byte[] payload) {
        loop.execute(() -> write(payload));
    }

    /** Stops the closed loop; completes when every message written has been acknowledged. */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            window = 0;
            drained = done;
            if (inFlight == 0 || !channel.isActive()) {
                done.complete(null);
            }
        });
        return done;
    }

    public boolean isConnected() {
        return channel.isActive();
    }

    public void close() {
        channel.close();
    }

    private void fill() {
        while (inFlight < window && channel.isActive()) {
            write(payloads.get());
        }
    }

    private void write(byte[] payload) {
        int id = nextPacketId;
        nextPacketId = id == 65_535 ? 1 : id + 1;
        if (sentAt == null) {
            sentAt = new long[SLOTS];
        }
        // ids run 1…65535 and around: any 1,023 in a row differ modulo 1,024, and no more than MAX_WINDOW are in flight
        sentAt[id % SLOTS] = System.nanoTime();
        inFlight++;
        // built directly: MqttMessageBuilders.publish() copies the payload and never releases the buffer it is given
        channel.writeAndFlush(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader(topic, id), Unpooled.wrappedBuffer(payload)));
    }

    private void acknowledged(int packetId) {
        if (inFlight == 0) {
            return;
        }
        inFlight--;
        listener.acknowledged(System.nanoTime() - sentAt[packetId % SLOTS]);
        fill();
        if (inFlight == 0 && drained != null) {
            drained.complete(null);
        }
    }

    private final class Session extends SimpleChannelInboundHandler<MqttMessage> {
        private final SslHandler ssl;
        private final String deviceId;
        private final String username;
        private final CompletableFuture<LoadDevice> connected;

        Session(SslHandler ssl, String deviceId, String username, CompletableFuture<LoadDevice> connected) {
            this.ssl = ssl;
            this.deviceId = deviceId;
            this.username = username;
            this.connected = connected;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(deviceId)
                            .hasUser(true).username(username).cleanSession(true).keepAlive(0).build());
                } else {
                    connected.completeExceptionally(f.cause());
                    ctx.close();
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            MqttMessageType type = msg.fixedHeader().messageType();
            if (type == MqttMessageType.CONNACK) {
                MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
                if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    connected.complete(LoadDevice.this);
                } else {
                    connected.completeExceptionally(new IllegalStateException("CONNACK " + code.name()));
                    ctx.close();
                }
            } else if (type == MqttMessageType.PUBACK) {
                acknowledged(((MqttMessageIdVariableHeader) msg.variableHeader()).messageId());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connected.completeExceptionally(new IllegalStateException("closed before CONNACK"));
            if (drained != null) {
                drained.complete(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connected.completeExceptionally(cause);
            ctx.close();
        }
    }
}

package io.fleetkit.firmware.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;

/** How a simulated device opens a TCP connection: on its own event loop, no Nagle, 30 s to connect, from a chosen source address. */
final class DeviceConnections {
    private DeviceConnections() {
    }

    /** @param localAddress source address (a swarm spreads over 127.0.0.x), or null for the system's choice */
    static ChannelFuture open(EventLoop loop, String host, int port, InetSocketAddress localAddress, ChannelHandler initializer) {
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(initializer);
        return localAddress == null ? b.connect(host, port) : b.connect(new InetSocketAddress(host, port), localAddress);
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubListenerTest {
    @Test
    void aFullNodeLeavesTheSharedPortAndComesBackBelow95Percent() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ConnectionAdmission admission = new ConnectionAdmission(10, 10, 100);
        int[] binds = {0};
        HubListener listener = new HubListener(() -> {
            binds[0]++;
            return new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class).option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", port).syncUninterruptibly().channel();
        }, admission, 100, false);
        try {
            for (int i = 0; i < 98; i++) {
                assertThat(admission.open()).isNull();
            }
            listener.check();
            assertThat(listener.left()).as("98 of 100: below the 99 it leaves at").isFalse();
            assertThat(admission.open()).isNull();
            listener.check();
            assertThat(listener.left()).isTrue();
            assertThat(listener.healthy()).as("closed on purpose").isTrue();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("nothing listens").isInstanceOf(java.net.ConnectException.class);
            for (int i = 0; i < 4; i++) {
                admission.closed();
            }
            listener.check();
            assertThat(listener.left()).as("95 open: not below 95%").isTrue();
            admission.closed();
            listener.check();
            assertThat(listener.left()).isFalse();
            assertThat(binds[0]).isEqualTo(2);
            new Socket("127.0.0.1", port).close(); // listening again
            assertThat(listener.address().getPort()).isEqualTo(port);
        } finally {
            listener.close();
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}

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

class HubListenerTest {
    @Test
    void aFullNodeLeavesTheSharedPortAndComesBackBelow95Percent() throws Exception {
        int port = freePortOutsideTheEphemeralRange();
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
            assertThat(listener.listening()).as("its socket is closed").isFalse();
            for (int i = 0; i < 4; i++) {
                admission.closed();
            }
            listener.check();
            assertThat(listener.left()).as("95 open: not below 95%").isTrue();
            admission.closed();
            // a bind may fail while the closed socket's port is still held (seen in the parallel suite): checked again
            io.fleetkit.testing.Eventually.until("listening again", java.time.Duration.ofSeconds(10), () -> {
                listener.check();
                return !listener.left();
            });
            assertThat(binds[0]).isGreaterThanOrEqualTo(2);
            assertThat(listener.listening()).isTrue();
            new Socket("127.0.0.1", port).close(); // listening again
            assertThat(listener.address().getPort()).isEqualTo(port);
        } finally {
            listener.close();
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    /** Below the ephemeral ports (32768 …): no outgoing connection on this busy machine holds it when the test binds it again. */
    private static int freePortOutsideTheEphemeralRange() throws java.io.IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + random.nextInt(10_000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                return s.getLocalPort();
            } catch (java.net.BindException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 20000-29999");
    }
}

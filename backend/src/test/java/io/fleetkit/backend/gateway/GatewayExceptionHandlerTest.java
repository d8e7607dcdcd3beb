package io.fleetkit.backend.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayExceptionHandlerTest {

    @Test
    void anErrorClosesOnlyThatConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(GatewayExceptionHandler.INSTANCE);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("boom"));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void strayMessagesAreReleased() {
        EmbeddedChannel ch = new EmbeddedChannel(GatewayExceptionHandler.INSTANCE);
        ByteBuf stray = Unpooled.buffer(4).writeInt(1);
        ch.writeInbound(stray);
        assertThat(stray.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}

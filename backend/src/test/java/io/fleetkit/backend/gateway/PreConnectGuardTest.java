package io.fleetkit.backend.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PreConnectGuardTest {
    final GatewayLimits limits = GatewayLimits.defaults().withConnectDeadline(Duration.ofSeconds(5)).withPendingConnections(3, 2);
    final GatewayFixture f = new GatewayFixture(null, limits);

    EmbeddedChannel channel() {
        return channel(f);
    }

    static EmbeddedChannel channel(GatewayFixture f) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.pipeline().addLast(PreConnectGuard.NAME, f.context.preConnectGuard());
        try {
            ch.register(); // channelActive: admitted (or not), the deadline armed
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ch.freezeTime(); // the deadline is due 5 s after the accept, a moment before this
        return ch;
    }

    @Test
    void theDeadlineIsHardBytesDoNotExtendIt() {
        EmbeddedChannel ch = channel();
        assertThat(f.context.admission().pending()).isEqualTo(1);
        for (int s = 0; s < 4; s++) {
            ch.advanceTimeBy(1, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x10})); // a trickled CONNECT, one byte a second
            assertThat(ch.isActive()).isTrue();
        }
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).as("closed 5 s after the accept").isFalse();
        assertThat(f.context.admission().pending()).as("the slot is freed").isZero();
        assertThat(f.context.refusals().counts()).containsEntry("no CONNACK in time", 1L);
        ch.finishAndReleaseAll();
    }

    @Test
    void moreThanTheByteBudgetBeforeConnackCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[limits.maxPreConnectBytes()]));
        assertThat(ch.isActive()).as("exactly the budget is allowed").isTrue();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        assertThat(ch.isActive()).isFalse();
        assertThat(f.context.refusals().counts()).containsEntry("too many bytes before CONNACK", 1L);
        ch.finishAndReleaseAll(); // the first buffer passed on; the second was released by the guard (leak check)
    }

    @Test
    void authenticatedConnectionsLeaveTheGuardAndFreeTheirSlot() {
        EmbeddedChannel ch = channel();
        authenticatesOnRead(ch);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x10}));
        assertThat(ch.pipeline().get(PreConnectGuard.class)).isNull();
        assertThat(f.context.admission().pending()).isZero();
        ch.advanceTimeBy(1, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).as("no deadline after CONNACK").isTrue();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[limits.maxPreConnectBytes() * 2]));
        assertThat(ch.isActive()).as("no byte budget after CONNACK").isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void pastTheOpenConnectionCapANewConnectionIsClosedAtAcceptAuthenticatedOrNot() {
        GatewayFixture capped = new GatewayFixture(null, GatewayLimits.defaults().withMaxConnections(2));
        EmbeddedChannel a = channel(capped);
        authenticatesOnRead(a);
        a.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x10}));
        assertThat(capped.context.admission().pending()).as("a is past CONNACK").isZero();
        EmbeddedChannel b = channel(capped);
        EmbeddedChannel c = channel(capped);
        assertThat(b.isActive()).isTrue();
        assertThat(c.isActive()).as("two are open: the authenticated one still counts").isFalse();
        assertThat(capped.context.refusals().counts()).containsEntry("connection limit", 1L);
        assertThat(capped.context.admission().openNow()).isEqualTo(2);
        a.close();
        assertThat(capped.context.admission().openNow()).as("a closed connection frees its place").isEqualTo(1);
        EmbeddedChannel d = channel(capped);
        assertThat(d.isActive()).isTrue();
        b.finishAndReleaseAll();
        d.finishAndReleaseAll();
        assertThat(capped.context.admission().openNow()).isZero();
    }

    @Test
    void capsOverallAndPerSourceAddress() {
        EmbeddedChannel a = channel();
        EmbeddedChannel b = channel();
        EmbeddedChannel c = channel(); // EmbeddedChannels share one "address": the per-source cap of 2 refuses the third
        assertThat(a.isActive()).isTrue();
        assertThat(b.isActive()).isTrue();
        assertThat(c.isActive()).isFalse();
        assertThat(f.context.admission().refused()).isEqualTo(1);
        a.close();
        EmbeddedChannel d = channel();
        assertThat(d.isActive()).as("a freed slot is taken again").isTrue();
        b.finishAndReleaseAll();
        d.finishAndReleaseAll();
        assertThat(f.context.admission().pending()).isZero();
    }

    /** Stands in for the CONNECT handler: the first bytes read are an accepted CONNECT. */
    static void authenticatesOnRead(EmbeddedChannel ch) {
        ch.pipeline().addLast("connect", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
                PreConnectGuard.authenticated(ctx);
            }
        });
    }
}

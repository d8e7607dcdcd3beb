package io.fleetkit.backend.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's pipeline — pre-connect guard, MQTT decoder and encoder, CONNECT, then the hub or DPS session — against any
 * bytes in any chunking (Jazzer). For every input: no exception reaches the end of the pipeline, everything written back
 * is well-formed MQTT a server may send, and once the connection is gone every buffer the pipeline allocated and the input
 * itself are released (counted per input, exactly, rather than by the sampling leak detector) and its admission slot is
 * free. The client certificate is a registered device's ({@code fuzz-1}), so a well-formed CONNECT gets through and the
 * fuzzer reaches the sessions. Seeds ({@code GatewayPipelineFuzzTestInputs/}): hub and DPS conversations, each followed by
 * one byte, the chunk size (0: all at once).
 */
class GatewayPipelineFuzzTest {
    private static final GatewayFixture FIXTURE = new GatewayFixture(message -> CompletableFuture.completedFuture(null));
    private static final DeviceIdentity DEVICE = FIXTURE.registeredDevice("fuzz-1");
    private static final int MAX_MESSAGE_BYTES = FIXTURE.context.maxPayloadBytes() + 16 * 1024;
    private static final Set<MqttMessageType> SERVER_SENDS = EnumSet.of(MqttMessageType.CONNACK, MqttMessageType.PUBLISH,
            MqttMessageType.PUBACK, MqttMessageType.SUBACK, MqttMessageType.UNSUBACK, MqttMessageType.PINGRESP);

    @FuzzTest(maxDuration = "60s")
    void anyBytesInAnyChunking(FuzzedDataProvider data) throws Exception {
        int chunk = data.consumeByte() & 0xff;
        converse(data.consumeRemainingAsBytes(), chunk);
    }

    /** The seeds do reach the sessions: a fuzzer starting from them mutates conversations the gateway serves. */
    @ParameterizedTest
    @CsvSource({"hub-session-in-7-byte-chunks, CONNACK SUBACK PUBACK PUBLISH PUBLISH UNSUBACK PINGRESP", "dps-session-bytewise, CONNACK SUBACK PUBLISH PUBLISH PINGRESP"})
    void theSeedConversationsAreServed(String seed, String answers) throws Exception {
        byte[] input = getClass().getResourceAsStream("GatewayPipelineFuzzTestInputs/anyBytesInAnyChunking/" + seed).readAllBytes();
        List<MqttMessage> served = converse(Arrays.copyOf(input, input.length - 1), input[input.length - 1]);
        assertThat(served).extracting(m -> m.fixedHeader().messageType().name()).containsExactly(answers.split(" "));
        assertThat(((MqttConnAckMessage) served.get(0)).variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    /**
     * Feeds {@code bytes} to a fresh pipeline {@code chunk} bytes at a time (0: all at once), closes it, checks the
     * invariants and returns what the server answered.
     */
    private static List<MqttMessage> converse(byte[] bytes, int chunk) throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        List<Throwable> escaped = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.config().setAllocator(allocator);
        ch.pipeline().addLast(PreConnectGuard.NAME, FIXTURE.context.preConnectGuard())
                .addLast("mqtt-decoder", new MqttDecoder(MAX_MESSAGE_BYTES))
                .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                .addLast("connect", new ConnectHandler(FIXTURE.context, ctx -> () -> DEVICE.credential().chain()))
                .addLast("escaped", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        escaped.add(cause);
                        ctx.fireExceptionCaught(cause);
                    }
                })
                .addLast("errors", GatewayExceptionHandler.INSTANCE);
        ch.register();

        List<ByteBuf> written = new ArrayList<>();
        for (int at = 0; at < bytes.length && ch.isOpen(); at += chunk == 0 ? bytes.length : chunk) {
            ByteBuf in = Unpooled.wrappedBuffer(bytes, at, Math.min(bytes.length - at, chunk == 0 ? bytes.length : chunk));
            written.add(in);
            ch.writeInbound(in);
            ch.runPendingTasks();
        }
        List<Object> answers = new ArrayList<>(ch.outboundMessages());
        ch.outboundMessages().clear();
        ch.finishAndReleaseAll();
        List<MqttMessage> served;
        try {
            assertThat(escaped).as("exceptions that reached the end of the pipeline").isEmpty();
            served = wellFormedServerPackets(answers);
        } finally {
            answers.forEach(ReferenceCountUtil::release);
        }
        assertThat(written).as("input buffers released").allMatch(b -> b.refCnt() == 0);
        assertThat(allocator.unreleased()).as("buffers the pipeline allocated and did not release").isEmpty();
        assertThat(FIXTURE.context.admission().pending()).as("admission slots held after the connection closed").isZero();
        return served;
    }

    /** The answers decoded as a client would; each must be a packet a server sends. Returned released (headers only). */
    private static List<MqttMessage> wellFormedServerPackets(List<Object> answers) {
        CompositeByteBuf stream = Unpooled.compositeBuffer();
        for (Object a : answers) {
            assertThat(a).as("what the pipeline writes").isInstanceOf(ByteBuf.class);
            stream.addComponent(true, ((ByteBuf) a).retainedDuplicate());
        }
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder(MAX_MESSAGE_BYTES));
        client.writeInbound(stream);
        List<MqttMessage> served = new ArrayList<>();
        try {
            for (Object m; (m = client.readInbound()) != null; ) {
                MqttMessage packet = (MqttMessage) m;
                served.add(packet);
                ReferenceCountUtil.release(m);
                assertThat(packet.decoderResult().isSuccess()).as("answer decodes: %s", packet.decoderResult()).isTrue();
                assertThat(packet.fixedHeader().messageType()).isIn(SERVER_SENDS);
            }
        } finally {
            client.finishAndReleaseAll();
        }
        return served;
    }

    /** Remembers every buffer it hands out, to check each was released. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf remember(ByteBuf b) {
            allocated.add(b);
            return b;
        }

        List<ByteBuf> unreleased() {
            return allocated.stream().filter(b -> b.refCnt() != 0).toList();
        }
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class HubSessionHandlerTest {
    GatewayFixture f = new GatewayFixture();
    final DeviceId dev = DeviceId.of("dev-1");

    EmbeddedChannel channel() {
        f.registeredDevice("dev-1");
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new HubSessionHandler(new HubSession(dev, null, ch), f.hub, f.context.sink(), Clock.systemUTC(), 1024,
                f.context.throttles(), f.context.limits().maxInflightPerConnection(), f.context.budget(), f.context.appended(),
                f.context.pubackWritten()), GatewayExceptionHandler.INSTANCE);
        return ch;
    }

    @Test
    void telemetryGoesToTheSinkAndIsAcknowledgedAfterIt() {
        EmbeddedChannel ch = channel();
        MqttPublishMessage p = GatewayFixture.publish("devices/dev-1/messages/events/$.mid=7&type=telemetry", MqttQoS.AT_LEAST_ONCE, 7, "{\"t\":1}");
        ByteBuf payload = p.payload();
        ch.writeInbound(p);
        assertThat(payload.refCnt()).as("the handler released the publish").isZero();
        ch.runPendingTasks();
        MqttMessage ack = ch.readOutbound();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId()).isEqualTo(7);
        DeviceToCloudMessage m = f.memorySink.messages().get(0);
        assertThat(m.deviceId()).isEqualTo(dev);
        assertThat(m.properties().get("type")).contains("telemetry");
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":1}");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noPubAckAndADisconnectWhenTheSinkFails() {
        f = new GatewayFixture(m -> CompletableFuture.failedFuture(new IllegalStateException("stream events failed: disk full")));
        EmbeddedChannel ch = channel();
        ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, 8, "{}"));
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isActive()).as("disconnected, so that the device sends the message again on its next connection").isFalse();
        assertThat(f.context.budget().held()).as("the budget is given back").isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void stopsReadingAtTheInflightLimitAndResumesWhenTheSinkCatchesUp() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        f = new GatewayFixture(m -> {
            CompletableFuture<Void> stored = new CompletableFuture<>();
            pending.add(stored);
            return stored;
        }, GatewayLimits.defaults().withInflight(3, 1 << 20));
        EmbeddedChannel ch = channel();
        for (int id = 1; id <= 3; id++) {
            assertThat(ch.config().isAutoRead()).as("reading before message %d", id).isTrue();
            ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, id, "{}"));
        }
        assertThat(ch.config().isAutoRead()).as("3 in flight: the channel waits").isFalse();
        assertThat(pending).hasSize(3);
        pending.get(0).complete(null);
        ch.runPendingTasks();
        MqttMessage ack = ch.readOutbound();
        assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId()).isEqualTo(1);
        assertThat(ch.config().isAutoRead()).as("2 in flight: reading again").isTrue();
        pending.forEach(p -> p.complete(null));
        ch.runPendingTasks();
        assertThat(ch.finishAndReleaseAll()).isTrue(); // the two PUBACKs
    }

    @Test
    void stopsReadingWhileTheIngestBudgetIsSpentAndResumesBelowThreeQuarters() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        f = new GatewayFixture(m -> {
            CompletableFuture<Void> stored = new CompletableFuture<>();
            pending.add(stored);
            return stored;
        }, GatewayLimits.defaults().withInflight(100, 1000));
        EmbeddedChannel ch = channel();
        String body = "x".repeat(400);
        ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, 1, body));
        ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, 2, body));
        assertThat(ch.config().isAutoRead()).as("800 of 1,000 bytes held").isTrue();
        ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, 3, body));
        assertThat(ch.config().isAutoRead()).as("1,200 of 1,000 bytes held: every publisher waits").isFalse();
        assertThat(f.context.budget().pausedConnections()).isEqualTo(1);
        pending.get(0).complete(null);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).as("800 bytes held: not yet below 750").isFalse();
        pending.get(1).complete(null);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).as("400 bytes held: reading again").isTrue();
        pending.get(2).complete(null);
        ch.runPendingTasks();
        assertThat(f.context.budget().held()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void foreignTopicsOversizeAndQos2Disconnect() {
        for (MqttPublishMessage p : new MqttPublishMessage[]{
                GatewayFixture.publish("devices/dev-2/messages/events/", MqttQoS.AT_MOST_ONCE, 0, "{}"),
                GatewayFixture.publish("$iothub/methods/POST/x/?$rid=1", MqttQoS.AT_MOST_ONCE, 0, "{}"),
                GatewayFixture.publish("not/a/topic", MqttQoS.AT_MOST_ONCE, 0, "{}"),
                GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_MOST_ONCE, 0, "x".repeat(1025)),
                GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.EXACTLY_ONCE, 3, "{}")}) {
            EmbeddedChannel ch = channel();
            ByteBuf payload = p.payload();
            ch.writeInbound(p);
            assertThat(ch.isActive()).as(p.variableHeader().topicName()).isFalse();
            assertThat(payload.refCnt()).isZero();
            assertThat(f.memorySink.messages()).isEmpty();
        }
    }

    @Test
    void subscriptionsOwnFiltersOnly() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(3)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "devices/dev-1/messages/devicebound/#")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "$iothub/methods/POST/#")
                .addSubscription(MqttQoS.AT_MOST_ONCE, "devices/dev-2/messages/devicebound/#")
                .addSubscription(MqttQoS.AT_MOST_ONCE, "$dps/registrations/res/#")
                .build());
        MqttSubAckMessage ack = ch.readOutbound();
        assertThat(ack.variableHeader().messageId()).isEqualTo(3);
        assertThat(ack.payload().grantedQoSLevels()).containsExactly(1, 1, 0x80, 0x80);
        ch.finishAndReleaseAll();
    }

    @Test
    void methodCallAndResponse() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/methods/POST/#").build());
        ch.readOutbound();
        CompletableFuture<MethodResult> call = f.hub.invokeMethod(dev, MethodName.of("reboot"), "{}".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5));
        ch.runPendingTasks();
        MqttPublishMessage request = ch.readOutbound();
        MethodRequestTopic t = (MethodRequestTopic) Topic.parse(request.variableHeader().topicName());
        request.release();
        ch.writeInbound(GatewayFixture.publish("$iothub/methods/res/200/?$rid=" + t.requestId().value(), MqttQoS.AT_MOST_ONCE, 0, "{\"ok\":true}"));
        assertThat(call.get().status()).isEqualTo(200);
        assertThat(call.get().payloadText()).isEqualTo("{\"ok\":true}");
        ch.finishAndReleaseAll();
    }

    @Test
    void pingAndKeepAliveExpiry() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        MqttMessage pong = ch.readOutbound();
        assertThat(pong.fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(ch.isActive()).isFalse();
        assertThat(f.hub.isConnected(dev)).isFalse();
        assertThat(f.registry.find(dev).orElseThrow().connectionState()).isEqualTo(io.fleetkit.backend.registry.ConnectionState.DISCONNECTED);
    }

    @Test
    void aCloudToDeviceMessageGoesUntilItsPubackCompletesIt() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "devices/dev-1/messages/devicebound/#").build());
        MqttSubAckMessage subAck = ch.readOutbound();
        assertThat(subAck.payload().grantedQoSLevels()).containsExactly(1);
        String mid = f.hub.sendCloudToDevice(dev, "hi".getBytes(StandardCharsets.UTF_8), java.util.Map.of()).join();
        ch.runPendingTasks();
        MqttPublishMessage sent = ch.readOutbound();
        assertThat(sent.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        assertThat(sent.variableHeader().topicName()).contains("%24.mid=" + mid);
        int packetId = sent.variableHeader().packetId();
        sent.release();
        assertThat(f.hub.cloudToDevice().depth(dev)).as("kept until the device completes it").isEqualTo(1);
        ch.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(packetId)));
        assertThat(f.hub.cloudToDevice().depth(dev)).as("the PUBACK completed it").isZero();
        assertThat(f.hub.cloudToDevice().completed()).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    /** What the channel was sent since the last call, as "TYPE id topic body" lines; the messages are released. */
    static List<String> outbound(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<String> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            MqttMessage m = (MqttMessage) o;
            if (m instanceof MqttPublishMessage p) {
                out.add("PUBLISH " + p.variableHeader().topicName() + " " + p.payload().toString(StandardCharsets.UTF_8));
                p.release();
            } else if (m.variableHeader() instanceof MqttMessageIdVariableHeader id) {
                out.add(m.fixedHeader().messageType() + " " + id.messageId());
            } else {
                out.add(m.fixedHeader().messageType().toString());
            }
        }
        return out;
    }

    @Test
    void twinRequestsAreAnsweredOnTheResponseTopicOnceTheDeviceListensThere() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(GatewayFixture.publish("$iothub/twin/GET/?$rid=1", MqttQoS.AT_MOST_ONCE, 0, ""));
        assertThat(outbound(ch)).as("not subscribed to $iothub/twin/res/#: the answer is dropped").isEmpty();
        assertThat(ch.isActive()).isTrue();

        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(2).addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/twin/res/#").build());
        assertThat(outbound(ch)).containsExactly("SUBACK 2");
        ch.writeInbound(GatewayFixture.publish("$iothub/twin/PATCH/properties/reported/?$rid=3", MqttQoS.AT_LEAST_ONCE, 9, "{\"fw\":\"1.2\"}"));
        assertThat(outbound(ch)).containsExactly("PUBACK 9", "PUBLISH $iothub/twin/res/204/?$rid=3&$version=2 ");
        ch.writeInbound(GatewayFixture.publish("$iothub/twin/GET/?$rid=4", MqttQoS.AT_MOST_ONCE, 0, ""));
        assertThat(outbound(ch)).containsExactly(
                "PUBLISH $iothub/twin/res/200/?$rid=4 {\"desired\":{\"$version\":1},\"reported\":{\"fw\":\"1.2\",\"$version\":2}}");
        for (String notAnObject : new String[]{"[1]", "not json"}) {
            ch.writeInbound(GatewayFixture.publish("$iothub/twin/PATCH/properties/reported/?$rid=5", MqttQoS.AT_MOST_ONCE, 0, notAnObject));
            assertThat(outbound(ch)).as(notAnObject).containsExactly(
                    "PUBLISH $iothub/twin/res/400/?$rid=5 {\"errorCode\":400004,\"message\":\"a reported-properties patch must be a JSON object\"}");
        }
        assertThat(f.hub.twin(dev).reportedVersion()).as("a refused patch changes nothing").isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void aMethodAnswerAtQos1IsAcknowledgedAndAnUnsubscribeEndsTheCalls() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "$iothub/methods/POST/#").build());
        outbound(ch);
        ch.writeInbound(GatewayFixture.publish("$iothub/methods/res/200/?$rid=77", MqttQoS.AT_LEAST_ONCE, 4, "{}"));
        assertThat(outbound(ch)).as("an answer to no call is acknowledged all the same").containsExactly("PUBACK 4");
        ch.writeInbound(MqttMessageBuilders.unsubscribe().messageId(6).addTopicFilter("$iothub/methods/POST/#")
                .addTopicFilter("devices/dev-2/messages/devicebound/#").addTopicFilter("not a filter #/x").build());
        assertThat(outbound(ch)).as("filters it may not have are ignored").containsExactly("UNSUBACK 6");
        assertThat(f.hub.invokeMethod(dev, MethodName.of("m"), new byte[0], Duration.ofSeconds(5)).join().isNotOnline()).isTrue();
        assertThat(ch.isActive()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void telemetryAtQos0IsStoredWithoutAPubackAndASinkThatThrowsDisconnects() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_MOST_ONCE, 0, "{}"));
        assertThat(outbound(ch)).isEmpty();
        assertThat(f.memorySink.messages()).hasSize(1);
        ch.finishAndReleaseAll();

        f = new GatewayFixture(m -> {
            throw new IllegalStateException("the sink is broken");
        });
        EmbeddedChannel broken = channel();
        broken.writeInbound(GatewayFixture.publish("devices/dev-1/messages/events/", MqttQoS.AT_LEAST_ONCE, 3, "{\"a\":1}"));
        assertThat(outbound(broken)).as("no PUBACK").isEmpty();
        assertThat(broken.isActive()).isFalse();
        assertThat(f.context.budget().held()).isZero();
        broken.finishAndReleaseAll();
    }

    @Test
    void aSessionEndingDisconnectsTheDeviceInTheRegistry() {
        EmbeddedChannel ch = channel();
        assertThat(f.hub.isConnected(dev)).isTrue();
        assertThat(f.registry.find(dev).orElseThrow().connectionState()).isEqualTo(io.fleetkit.backend.registry.ConnectionState.CONNECTED);
        ch.close();
        assertThat(f.hub.isConnected(dev)).isFalse();
        assertThat(f.registry.find(dev).orElseThrow().connectionState()).isEqualTo(io.fleetkit.backend.registry.ConnectionState.DISCONNECTED);
        ch.finishAndReleaseAll();
    }
}

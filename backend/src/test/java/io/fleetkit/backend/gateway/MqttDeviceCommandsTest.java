package io.fleetkit.backend.gateway;

import io.fleetkit.backend.hub.MethodResult;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.backend.testing.MutableClock;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.mqtt.DeviceboundTopic;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.SystemProperty;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.mqtt.TwinDesiredPatchTopic;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hub's server-side API against sessions on EmbeddedChannels (no handlers: what reaches the device's channel). */
class MqttDeviceCommandsTest {
    final DeviceId dev = DeviceId.of("dev-1");
    final MutableClock clock = new MutableClock();
    final CloudToDeviceQueue queue = CloudToDeviceQueue.inMemory(CloudToDeviceQueue.Options.iotHub(), clock);
    final MqttDeviceCommands hub = new MqttDeviceCommands(new InMemoryDeviceRegistry(), Twins.inMemory(), queue);
    final List<String> events = new ArrayList<>();
    final List<EmbeddedChannel> channels = new ArrayList<>();

    MqttDeviceCommandsTest() {
        hub.addConnectionListener((id, connected, at, modelId) -> events.add(id.value() + (connected ? " connected " + modelId : " gone")));
    }

    @AfterEach
    void releaseChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    HubSession session(boolean cleanSession, TopicFilter... filters) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        HubSession s = new HubSession(dev, null, ch, cleanSession, "dtmi:fk:thermostat;1");
        for (TopicFilter f : filters) {
            s.subscribe(f);
        }
        return s;
    }

    static EmbeddedChannel channel(HubSession s) {
        return (EmbeddedChannel) s.channel();
    }

    /** What the device's channel was sent, as (topic, QoS, body); the messages are released. */
    static List<String> sent(HubSession s) {
        EmbeddedChannel ch = channel(s);
        ch.runPendingTasks();
        List<String> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            MqttPublishMessage p = (MqttPublishMessage) o;
            out.add(p.variableHeader().topicName() + " qos" + p.fixedHeader().qosLevel().value() + " "
                    + p.payload().toString(StandardCharsets.UTF_8));
            p.release();
        }
        return out;
    }

    @Test
    void theNewestConnectionWinsAndOnlyTheLastOneToLeaveIsADisconnect() {
        HubSession first = session(true);
        HubSession second = session(true);
        hub.attach(first);
        hub.attach(second);
        assertThat(channel(first).isActive()).as("the older connection is closed (IoT Hub: the newest wins)").isFalse();
        assertThat(channel(second).isActive()).isTrue();
        assertThat(hub.connectedCount()).isEqualTo(1);
        hub.detach(first);
        assertThat(hub.isConnected(dev)).as("the replaced connection leaving does not disconnect the device").isTrue();
        hub.detach(second);
        assertThat(hub.isConnected(dev)).isFalse();
        assertThat(hub.connectedCount()).isZero();
        assertThat(events).containsExactly("dev-1 connected dtmi:fk:thermostat;1", "dev-1 connected dtmi:fk:thermostat;1", "dev-1 gone");
    }

    @Test
    void attachingTheSameSessionTwiceClosesNothing() {
        HubSession s = session(true);
        hub.attach(s);
        hub.attach(s);
        assertThat(channel(s).isActive()).isTrue();
    }

    @Test
    void aFailingConnectionListenerDoesNotStopTheOthersOrTheConnection() {
        List<String> later = new ArrayList<>();
        MqttDeviceCommands h = new MqttDeviceCommands(new InMemoryDeviceRegistry(), Twins.inMemory(), queue);
        h.addConnectionListener((id, connected, at, modelId) -> {
            throw new IllegalStateException("listener broken");
        });
        h.addConnectionListener((id, connected, at, modelId) -> later.add(id.value() + " " + connected));
        HubSession s = session(true);
        h.attach(s);
        h.detach(s);
        assertThat(later).containsExactly("dev-1 true", "dev-1 false");
    }

    @Test
    void aPersistentSessionKeepsItsSubscriptionsUntilACleanConnect() {
        HubSession away = session(false, TopicFilter.Fixed.METHOD_REQUESTS, new TopicFilter.Devicebound(dev));
        hub.attach(away);
        assertThat(hub.hasKeptSession(dev)).as("kept only once the device is away").isFalse();
        hub.detach(away);
        assertThat(hub.hasKeptSession(dev)).isTrue();

        HubSession back = session(false);
        hub.attach(back);
        assertThat(back.isSubscribed(TopicFilter.Fixed.METHOD_REQUESTS)).as("subscriptions given back").isTrue();
        assertThat(back.isSubscribed(new TopicFilter.Devicebound(dev))).isTrue();
        assertThat(hub.hasKeptSession(dev)).as("taken, not copied").isFalse();
        hub.detach(back);

        HubSession clean = session(true);
        hub.attach(clean);
        assertThat(clean.isSubscribed(TopicFilter.Fixed.METHOD_REQUESTS)).as("clean session 1 starts empty").isFalse();
        assertThat(hub.hasKeptSession(dev)).as("and drops what was kept").isFalse();
        hub.detach(clean);
        assertThat(hub.hasKeptSession(dev)).as("nothing kept after a clean session").isFalse();
    }

    @Test
    void methodArgumentsOutOfRangeAreRefused() {
        byte[] big = new byte[128 * 1024 + 1];
        assertThatThrownBy(() -> hub.invokeMethod(dev, MethodName.of("m"), big, Duration.ofSeconds(1)))
                .hasMessage("payload: at most 131072 bytes, was 131073");
        for (Duration bad : new Duration[]{Duration.ZERO, Duration.ofMillis(-1), Duration.ofSeconds(301)}) {
            assertThatThrownBy(() -> hub.invokeMethod(dev, MethodName.of("m"), new byte[0], bad))
                    .hasMessageStartingWith("timeout: must be positive and at most PT5M, was " + bad);
        }
        assertThat(hub.invokeMethod(dev, MethodName.of("m"), new byte[128 * 1024], MqttDeviceCommands.MAX_METHOD_TIMEOUT))
                .as("the limits themselves are allowed").isCompletedWithValueMatching(MethodResult::isNotOnline);
    }

    @Test
    void aMethodForADeviceNotListeningIsNotOnlineAtOnce() {
        assertThat(hub.invokeMethod(dev, MethodName.of("m"), new byte[0], Duration.ofSeconds(5)).join().isNotOnline())
                .as("not connected").isTrue();
        HubSession s = session(true);
        hub.attach(s);
        MethodResult r = hub.invokeMethod(dev, MethodName.of("m"), new byte[0], Duration.ofSeconds(5)).join();
        assertThat(r.isNotOnline()).as("connected but not subscribed to methods").isTrue();
        assertThat(r.payloadText()).contains("404103");
        assertThat(sent(s)).isEmpty();
    }

    @Test
    void aMethodCallIsAnsweredByItsDeviceOnly() {
        HubSession s = session(true, TopicFilter.Fixed.METHOD_REQUESTS);
        hub.attach(s);
        CompletableFuture<MethodResult> call = hub.invokeMethod(dev, MethodName.of("reboot"), "{\"in\":1}".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5));
        List<String> out = sent(s);
        assertThat(out).hasSize(1);
        String topic = out.get(0).substring(0, out.get(0).indexOf(' '));
        assertThat(out.get(0)).endsWith(" qos0 {\"in\":1}");
        MethodRequestTopic request = (MethodRequestTopic) Topic.parse(topic);
        assertThat(request.methodName().value()).isEqualTo("reboot");
        RequestId rid = request.requestId();

        assertThat(hub.methodResponse(DeviceId.of("dev-2"), rid, 200, new byte[0])).as("another device's answer").isFalse();
        assertThat(hub.methodResponse(dev, RequestId.of("ffff"), 200, new byte[0])).as("an unknown request id").isFalse();
        assertThat(call).isNotDone();
        assertThat(hub.methodResponse(dev, rid, 201, "{\"ok\":1}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(call.join()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.fromHub()).isFalse();
            assertThat(r.payloadText()).isEqualTo("{\"ok\":1}");
        });
        assertThat(hub.methodResponse(dev, rid, 200, new byte[0])).as("answered once").isFalse();

        CompletableFuture<MethodResult> second = hub.invokeMethod(dev, MethodName.of("reboot"), new byte[0], Duration.ofSeconds(5));
        String secondTopic = sent(s).get(0);
        assertThat(((MethodRequestTopic) Topic.parse(secondTopic.substring(0, secondTopic.indexOf(' ')))).requestId())
                .as("every call has its own request id").isNotEqualTo(rid);
        second.cancel(false);
    }

    @Test
    void aMethodNotAnsweredInTimeIsATimeoutAndALateAnswerIsIgnored() {
        HubSession s = session(true, TopicFilter.Fixed.METHOD_REQUESTS);
        hub.attach(s);
        CompletableFuture<MethodResult> call = hub.invokeMethod(dev, MethodName.of("slow"), new byte[0], Duration.ofSeconds(30));
        String topic = sent(s).get(0);
        RequestId rid = ((MethodRequestTopic) Topic.parse(topic.substring(0, topic.indexOf(' ')))).requestId();
        channel(s).advanceTimeBy(29, TimeUnit.SECONDS);
        channel(s).runScheduledPendingTasks();
        assertThat(call).as("29 s of 30").isNotDone();
        channel(s).advanceTimeBy(1, TimeUnit.SECONDS);
        channel(s).runScheduledPendingTasks();
        MethodResult r = call.join();
        assertThat(r.isTimeout()).isTrue();
        assertThat(r.payloadText()).isEqualTo("{\"errorCode\":504101,\"message\":\"device 'dev-1' did not answer 'slow' within 30000 ms\"}");
        assertThat(hub.methodResponse(dev, rid, 200, new byte[0])).isFalse();
    }

    @Test
    void anAnsweredCallCancelsItsTimer() {
        HubSession s = session(true, TopicFilter.Fixed.METHOD_REQUESTS);
        hub.attach(s);
        hub.invokeMethod(dev, MethodName.of("m"), new byte[0], Duration.ofSeconds(30));
        String topic = sent(s).get(0);
        assertThat(hub.methodResponse(dev, ((MethodRequestTopic) Topic.parse(topic.substring(0, topic.indexOf(' ')))).requestId(), 200,
                new byte[0])).isTrue();
        assertThat(channel(s).runScheduledPendingTasks()).as("no timer left waiting").isEqualTo(-1);
    }

    @Test
    void theDeviceLeavingEndsItsCallsAsNotOnlineButANewerConnectionKeepsThem() {
        HubSession first = session(true, TopicFilter.Fixed.METHOD_REQUESTS);
        hub.attach(first);
        CompletableFuture<MethodResult> call = hub.invokeMethod(dev, MethodName.of("m"), new byte[0], Duration.ofSeconds(30));
        HubSession second = session(true, TopicFilter.Fixed.METHOD_REQUESTS);
        hub.attach(second);
        hub.detach(first);
        assertThat(call).as("the device is still connected, on its newer connection").isNotDone();
        hub.detach(second);
        assertThat(call.join().isNotOnline()).isTrue();
    }

    @Test
    void aDesiredPatchReachesTheDeviceOnlyWhenItListens() {
        ObjectNode patch = JsonNodeFactory.instance.objectNode().put("target", 21);
        HubSession deaf = session(true);
        hub.attach(deaf);
        assertThat(hub.updateDesired(dev, patch).join()).isEqualTo(2);
        assertThat(sent(deaf)).isEmpty();
        hub.detach(deaf);

        HubSession s = session(true, TopicFilter.Fixed.TWIN_DESIRED_PATCHES);
        hub.attach(s);
        assertThat(hub.updateDesired(dev, patch).join()).isEqualTo(3);
        assertThat(sent(s)).containsExactly(new TwinDesiredPatchTopic(3).format() + " qos0 {\"target\":21,\"$version\":3}");
        assertThat(patch.has("$version")).as("the caller's patch is not changed").isFalse();
        assertThat(hub.twin(dev).desired().get("target").asInt()).isEqualTo(21);
    }

    @Test
    void aCloudToDeviceMessageWaitsForTheDeviceToListenAndCarriesItsProperties() {
        String mid = hub.sendCloudToDevice(dev, "hi".getBytes(StandardCharsets.UTF_8), Map.of("colour", "red"), Duration.ofMinutes(5)).join();
        assertThat(queue.depth(dev)).isEqualTo(1);
        HubSession deaf = session(true);
        hub.attach(deaf);
        assertThat(sent(deaf)).as("not subscribed to devicebound").isEmpty();
        hub.detach(deaf);

        HubSession s = session(true, new TopicFilter.Devicebound(dev));
        hub.attach(s);
        List<String> out = sent(s);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).endsWith(" qos1 hi");
        DeviceboundTopic topic = (DeviceboundTopic) Topic.parse(out.get(0).substring(0, out.get(0).indexOf(' ')));
        assertThat(topic.properties().get(SystemProperty.MESSAGE_ID)).contains(mid);
        assertThat(topic.properties().get(SystemProperty.TO)).contains("/devices/dev-1/messages/devicebound");
        assertThat(topic.properties().get("colour")).contains("red");
        Instant expiry = Instant.parse(topic.properties().get(SystemProperty.EXPIRY_TIME_UTC).orElseThrow());
        assertThat(expiry).isBetween(Instant.now().plusSeconds(290), Instant.now().plusSeconds(301));

        String again = hub.sendCloudToDevice(dev, "now".getBytes(StandardCharsets.UTF_8), Map.of()).join();
        List<String> now = sent(s);
        assertThat(now).as("a connected listener gets it at once").hasSize(1);
        DeviceboundTopic t2 = (DeviceboundTopic) Topic.parse(now.get(0).substring(0, now.get(0).indexOf(' ')));
        assertThat(t2.properties().get(SystemProperty.MESSAGE_ID)).contains(again);
        assertThat(t2.properties().get(SystemProperty.EXPIRY_TIME_UTC)).as("no TTL given: the hub's default, not a property").isEmpty();
    }

    @Test
    void aCloudToDeviceMessageNotCompletedGoesAgainWhenItsLockRunsOutAndAtOnceToANewConnection() {
        HubSession s = session(true, new TopicFilter.Devicebound(dev));
        hub.attach(s);
        hub.sendCloudToDevice(dev, "hi".getBytes(StandardCharsets.UTF_8), Map.of()).join();
        assertThat(sent(s)).hasSize(1);
        clock.advance(Duration.ofSeconds(61));
        channel(s).advanceTimeBy(61, TimeUnit.SECONDS);
        channel(s).runScheduledPendingTasks();
        assertThat(sent(s)).as("the lock ran out: delivered again").hasSize(1);

        HubSession newer = session(true, new TopicFilter.Devicebound(dev));
        hub.attach(newer);
        hub.detach(s);
        assertThat(sent(newer)).as("the old connection's lock is given up: the newer one gets it at once").hasSize(1);
    }

    @Test
    void theQueueFullFailsTheSendWithTheQueuesReason() {
        for (int i = 0; i < CloudToDeviceQueue.MAX_QUEUED; i++) {
            hub.sendCloudToDevice(dev, new byte[]{1}, Map.of()).join();
        }
        assertThat(hub.sendCloudToDevice(dev, new byte[]{1}, Map.of()))
                .isCompletedExceptionally()
                .failsWithin(Duration.ZERO)
                .withThrowableThat().havingCause().isInstanceOf(CloudToDeviceQueue.QueueFullException.class);
    }

    @Test
    void theCertificateAndSessionAreThoseOfTheCurrentConnection() {
        assertThat(hub.certificate(dev)).isEmpty();
        assertThat(hub.session(dev)).isEmpty();
        HubSession s = session(true);
        hub.attach(s);
        assertThat(hub.session(dev)).containsSame(s);
        assertThat(hub.certificate(dev)).as("this session authenticated without TLS").isEmpty();
    }
}

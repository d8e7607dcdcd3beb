package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DpsSessionHandlerTest {
    final GatewayFixture f = new GatewayFixture();

    EmbeddedChannel channel(DeviceIdentity d) {
        return new EmbeddedChannel(new DpsSessionHandler(d.registrationId(), d.credential().chain(), f.dps, Runnable::run, f.context.refusals()),
                GatewayExceptionHandler.INSTANCE);
    }

    @Test
    void subscribeRegisterAndAnswer() {
        DeviceIdentity d = GatewayFixture.ISSUER.issueDevice(GatewayFixture.INTERMEDIATE, RegistrationId.of("dev-9"), KeyAlgorithm.EC_P256);
        EmbeddedChannel ch = channel(d);
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(1)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "$dps/registrations/res/#")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "$iothub/methods/POST/#").build());
        MqttSubAckMessage ack = ch.readOutbound();
        assertThat(ack.payload().grantedQoSLevels()).containsExactly(1, 0x80);

        ch.writeInbound(GatewayFixture.publish("$dps/registrations/PUT/iotdps-register/?$rid=4", MqttQoS.AT_MOST_ONCE, 0,
                "{\"registrationId\":\"dev-9\"}"));
        ch.runPendingTasks();
        MqttPublishMessage reply = ch.readOutbound();
        assertThat(reply.variableHeader().topicName()).isEqualTo("$dps/registrations/res/202/?$rid=4&retry-after=2");
        assertThat(reply.payload().toString(StandardCharsets.UTF_8)).contains("\"status\":\"assigning\"");
        reply.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void hubTopicsOnDpsDisconnect() {
        DeviceIdentity d = GatewayFixture.ISSUER.issueDevice(GatewayFixture.INTERMEDIATE, RegistrationId.of("dev-8"), KeyAlgorithm.EC_P256);
        EmbeddedChannel ch = channel(d);
        ch.writeInbound(GatewayFixture.publish("devices/dev-8/messages/events/", MqttQoS.AT_MOST_ONCE, 0, "{}"));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void aCertificateNoEnrollmentMatchesGets401AndIsDisconnected() {
        // a self-signed certificate: DPS accepted the CONNECT (as Azure DPS does), the registration is refused
        DeviceIdentity stranger = GatewayFixture.ISSUER.selfSignedDevice(RegistrationId.of("stranger"), KeyAlgorithm.EC_P256);
        EmbeddedChannel ch = channel(stranger);
        ch.writeInbound(GatewayFixture.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", MqttQoS.AT_MOST_ONCE, 0,
                "{\"registrationId\":\"stranger\"}"));
        ch.runPendingTasks();
        MqttPublishMessage reply = ch.readOutbound();
        assertThat(reply.variableHeader().topicName()).startsWith("$dps/registrations/res/401/?$rid=1");
        assertThat(reply.payload().toString(StandardCharsets.UTF_8)).contains("401002");
        reply.release();
        assertThat(ch.config().isAutoRead()).as("nothing more is read from it").isFalse();
        ch.advanceTimeBy(DpsSessionHandler.UNAUTHORIZED_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).as("never left holding a session").isFalse();
        assertThat(f.context.refusals().counts()).containsEntry("DPS 401", 1L);
        ch.finishAndReleaseAll();
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectHandlerTest {
    final GatewayFixture f = new GatewayFixture();

    EmbeddedChannel channel(List<X509Certificate> chain) {
        return new EmbeddedChannel(new ConnectHandler(f.context, ctx -> () -> chain), GatewayExceptionHandler.INSTANCE);
    }

    static MqttConnectReturnCode connAck(EmbeddedChannel ch) {
        ch.runPendingTasks();
        MqttConnAckMessage ack = ch.readOutbound();
        return ack.variableHeader().connectReturnCode();
    }

    @Test
    void acceptedHubConnectionGetsItsSessionAndKeepAlive() {
        DeviceIdentity d = f.registeredDevice("dev-1");
        EmbeddedChannel ch = channel(d.credential().chain());
        ch.writeInbound(GatewayFixture.connect("dev-1", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60));
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ch.pipeline().get(HubSessionHandler.class)).isNotNull();
        assertThat(ch.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis()).isEqualTo(90_000);
        assertThat(ch.pipeline().get(ConnectHandler.class)).isNull();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(f.hub.isConnected(d.deviceId())).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void dpsConnectionGetsTheDpsSession() {
        DeviceIdentity d = f.registeredDevice("dev-2");
        EmbeddedChannel ch = channel(d.credential().chain());
        ch.writeInbound(GatewayFixture.connect("dev-2", DpsUsername.of(IdScope.DEFAULT, RegistrationId.of("dev-2")).format(), 0));
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ch.pipeline().get(DpsSessionHandler.class)).isNotNull();
        assertThat(ch.pipeline().get(IdleStateHandler.class)).as("keep-alive 0 means none").isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void refusalsAnswerTheirCodeAndClose() {
        DeviceIdentity d = f.registeredDevice("dev-3");
        EmbeddedChannel bad = channel(d.credential().chain());
        bad.writeInbound(GatewayFixture.connect("dev-3", "no-slash", 60));
        assertThat(connAck(bad)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        assertThat(bad.isActive()).isFalse();

        EmbeddedChannel noCert = channel(List.of());
        noCert.writeInbound(GatewayFixture.connect("dev-3", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60));
        assertThat(connAck(noCert)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);

        EmbeddedChannel wrongClient = channel(d.credential().chain());
        wrongClient.writeInbound(GatewayFixture.connect("other", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60));
        assertThat(connAck(wrongClient)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        assertThat(f.hub.isConnected(d.deviceId())).isFalse();
    }

    @Test
    void anythingButConnectFirstCloses() {
        EmbeddedChannel ch = channel(List.of());
        ch.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void unacceptableProtocolVersionIsCode1() {
        EmbeddedChannel ch = channel(List.of());
        MqttMessage failed = new MqttMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                null, null, DecoderResult.failure(new MqttUnacceptableProtocolVersionException("MQTT 5")));
        ch.writeInbound(failed);
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void aDpsOnlyListenerRefusesHubConnections() {
        DeviceIdentity d = f.registeredDevice("dev-5");
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectHandler(f.context.forDpsOnly(), ctx -> () -> d.credential().chain()),
                GatewayExceptionHandler.INSTANCE);
        ch.writeInbound(GatewayFixture.connect("dev-5", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60));
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        EmbeddedChannel dps = new EmbeddedChannel(new ConnectHandler(f.context.forDpsOnly(), ctx -> () -> d.credential().chain()),
                GatewayExceptionHandler.INSTANCE);
        dps.writeInbound(GatewayFixture.connect("dev-5", DpsUsername.of(IdScope.DEFAULT, RegistrationId.of("dev-5")).format(), 0));
        assertThat(connAck(dps)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        dps.finishAndReleaseAll();
    }
}

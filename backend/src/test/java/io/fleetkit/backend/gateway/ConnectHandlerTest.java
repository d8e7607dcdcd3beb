package io.fleetkit.backend.gateway;

import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.registry.Thumbprints;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
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
import java.time.Duration;
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
        assertThat(ch.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis())
                .as("keep-alive 0 (none) gets IoT Hub's maximum, 1,767 s × 1.5").isEqualTo(2_650_500);
        ch.finishAndReleaseAll();
    }

    @Test
    void keepAliveAboveTheMaximumIsCappedToIt() {
        assertThat(ConnectHandler.effectiveKeepAlive(60, GatewayLimits.defaults())).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConnectHandler.effectiveKeepAlive(0, GatewayLimits.defaults())).isEqualTo(Duration.ofSeconds(1767));
        assertThat(ConnectHandler.effectiveKeepAlive(65_535, GatewayLimits.defaults())).isEqualTo(Duration.ofSeconds(1767));
        assertThat(ConnectHandler.effectiveKeepAlive(0, GatewayLimits.defaults().withMaxKeepAlive(Duration.ofSeconds(2))))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anMqtt5ConnectThroughTheRealDecoderGetsAn311ConnAckWithCode1() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(), new ConnectHandler(f.context, ctx -> List::of),
                GatewayExceptionHandler.INSTANCE);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{
                0x10, 0x10,                         // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name
                0x05,                               // protocol level 5: MQTT 5, which Netty's decoder accepts
                0x02,                               // flags: clean start
                0x00, 0x3C,                         // keep-alive 60 s
                0x00,                               // properties: none
                0x00, 0x03, 'a', 'b', 'c'}));       // client id "abc"
        ByteBuf connAck = ch.readOutbound();
        assertThat(ByteBufUtil.getBytes(connAck)).as("MQTT 3.1.1 CONNACK, return code 1, whatever the client's level")
                .containsExactly(0x20, 0x02, 0x00, 0x01);
        connAck.release();
        assertThat(ch.isActive()).isFalse();
        assertThat(f.context.refusals().counts()).containsKey("CONNECT refused: CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION");
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
    void aDeviceAddedByThumbprintConnectsWithThatCertificateOnlyAndNotWhenDisabled() throws Exception {
        DeviceIdentity own = GatewayFixture.ISSUER.selfSignedDevice(RegistrationId.of("own-cert"), io.fleetkit.protocol.pki.KeyAlgorithm.EC_P256);
        DeviceIdentity other = GatewayFixture.ISSUER.selfSignedDevice(RegistrationId.of("own-cert"), io.fleetkit.protocol.pki.KeyAlgorithm.EC_P256);
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(own.credential().certificate().getEncoded()));
        f.registry.add(own.deviceId(), DeviceStatus.ENABLED, Authentication.X509_SELF_SIGNED, new Thumbprints(sha256.toLowerCase(), null),
                java.time.Instant.now());
        String username = HubUsername.of(HubHostName.of("127.0.0.1"), own.deviceId(), null).format();

        EmbeddedChannel impostor = channel(other.credential().chain()); // same CN, another key: not the registered thumbprint
        impostor.writeInbound(GatewayFixture.connect("own-cert", username, 60));
        assertThat(connAck(impostor)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);

        EmbeddedChannel ok = channel(own.credential().chain()); // no enrollment knows it: the registry's thumbprint does
        ok.writeInbound(GatewayFixture.connect("own-cert", username, 60));
        assertThat(connAck(ok)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        ok.finishAndReleaseAll();

        f.registry.setStatus(own.deviceId(), DeviceStatus.DISABLED);
        EmbeddedChannel disabled = channel(own.credential().chain());
        disabled.writeInbound(GatewayFixture.connect("own-cert", username, 60));
        assertThat(connAck(disabled)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
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

    /** MQTT 3.1.1 §3.1.4: a client need not wait for CONNACK; what it sends meanwhile is served once connected. */
    @Test
    void packetsSentBeforeTheConnAckAreServedAfterIt() {
        DeviceIdentity d = f.registeredDevice("dev-6");
        EmbeddedChannel ch = channel(d.credential().chain());
        ch.writeInbound(GatewayFixture.connect("dev-6", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60),
                io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(7)
                        .addSubscription(MqttQoS.AT_LEAST_ONCE, "$iothub/methods/POST/#").build(),
                GatewayFixture.publish("devices/dev-6/messages/events/", MqttQoS.AT_LEAST_ONCE, 8, "early"));
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        ch.runPendingTasks();
        assertThat(((MqttMessage) ch.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        assertThat(((MqttMessage) ch.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        assertThat(f.memorySink.messages()).extracting(m -> new String(m.body())).containsExactly("early");
        ch.finishAndReleaseAll();
    }

    /** [MQTT-3.1.4-5]: after a refused CONNECT nothing the client sent after it is processed; it is released. */
    @Test
    void packetsSentBeforeARefusalAreDroppedUnprocessed() {
        DeviceIdentity d = GatewayFixture.ISSUER.issueDevice(GatewayFixture.INTERMEDIATE, RegistrationId.of("dev-7"),
                io.fleetkit.protocol.pki.KeyAlgorithm.EC_P256); // not in the registry
        EmbeddedChannel ch = channel(d.credential().chain());
        io.netty.handler.codec.mqtt.MqttPublishMessage early = GatewayFixture.publish("devices/dev-7/messages/events/", MqttQoS.AT_LEAST_ONCE, 1, "x");
        ch.writeInbound(GatewayFixture.connect("dev-7", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), 60), early);
        assertThat(connAck(ch)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        ch.finishAndReleaseAll();
        assertThat(early.refCnt()).isZero();
        assertThat(f.memorySink.messages()).isEmpty();
    }
}

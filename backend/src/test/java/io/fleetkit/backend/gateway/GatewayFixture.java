package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.dps.HubAllocation;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.hub.IngestBudget;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The services behind the gateway's handlers, in memory, for EmbeddedChannel tests. */
final class GatewayFixture {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final Credential ROOT = ISSUER.createRoot("root");
    static final Credential INTERMEDIATE = ISSUER.createIntermediate(ROOT, "intermediate");

    final Enrollments enrollments = new Enrollments();
    final InMemoryDeviceRegistry registry = new InMemoryDeviceRegistry();
    final MqttDeviceCommands hub = new MqttDeviceCommands(registry, Twins.inMemory());
    final InMemoryDeviceToCloudSink memorySink = new InMemoryDeviceToCloudSink(100);
    final DpsService dps;
    final GatewayContext context;

    GatewayFixture() {
        this(null);
    }

    GatewayFixture(DeviceToCloudSink sink) {
        this(sink, GatewayLimits.defaults());
    }

    GatewayFixture(DeviceToCloudSink sink, GatewayLimits limits) {
        enrollments.add(new Enrollment.Group("factory", INTERMEDIATE.certificate(), true));
        Clock clock = Clock.systemUTC();
        dps = new DpsService(IdScope.DEFAULT, new HubAllocation(List.of(HubHostName.of("127.0.0.1"))), enrollments, registry, clock, 2);
        ConnectAuthorizer authorizer = new ConnectAuthorizer(List.of(HubHostName.of("127.0.0.1")), IdScope.DEFAULT, enrollments, registry, clock);
        context = new GatewayContext(authorizer, hub, dps, sink == null ? memorySink : sink, Runnable::run, clock,
                Messages.DEVICE_TO_CLOUD_MAX_BYTES, new Throttles(ThrottleProfile.OFF), limits,
                new ConnectionAdmission(limits.maxPendingConnections(), limits.maxPendingPerSource(), limits.maxConnections()),
                new RefusalLog(LoggerFactory.getLogger(GatewayFixture.class), Duration.ofSeconds(10)),
                new IngestBudget(limits.ingestBudgetBytes()), new io.fleetkit.backend.latency.StageTimings());
    }

    /** A device issued by the factory CA and present in the registry. */
    DeviceIdentity registeredDevice(String id) {
        DeviceIdentity d = ISSUER.issueDevice(INTERMEDIATE, RegistrationId.of(id), KeyAlgorithm.EC_P256);
        registry.createIfAbsent(d.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
        return d;
    }

    static MqttConnectMessage connect(String clientId, String username, int keepAlive) {
        return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId).username(username)
                .hasUser(true).cleanSession(true).keepAlive(keepAlive).build();
    }

    /** Built directly: MqttMessageBuilders.publish() copies the payload and leaks the buffer it is given. */
    static MqttPublishMessage publish(String topic, MqttQoS qos, int packetId, String payload) {
        ByteBuf b = Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8);
        return new MqttPublishMessage(new io.netty.handler.codec.mqtt.MqttFixedHeader(io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH,
                false, qos, false, 0), new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(topic, qos == MqttQoS.AT_MOST_ONCE ? -1 : packetId), b);
    }
}

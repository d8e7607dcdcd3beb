package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.testing.LeakDetection;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every refusal with its own code or status, while a well-behaved device stays connected and
 * keeps being served, and without a buffer leak.
 */
@Timeout(120)
@ThrowAwayPki.Use
class RefusalsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static EmbeddedHub hub;
    static DeviceIdentity good;
    static PahoDevice goodDevice;

    @BeforeAll
    static void start(ThrowAwayPki throwAway) throws Exception {
        pki = throwAway.directory();
        hub = EmbeddedHub.builder(pki).port(0).start();
        good = registered("good-001");
        goodDevice = connectHub(good);
        goodDevice.client().subscribe("$iothub/methods/POST/#", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        // the bystander was served throughout
        goodDevice.publish("devices/good-001/messages/events/type=telemetry", "{\"n\":1}", 1);
        var call = hub.devices().invokeMethod(good.deviceId(), MethodName.of("ping"), new byte[0], Duration.ofSeconds(5));
        PahoDevice.Received req = goodDevice.awaitTopic("$iothub/methods/POST/ping/");
        goodDevice.publish("$iothub/methods/res/200/?$rid=" + req.topic().substring(req.topic().indexOf("=") + 1), "{}", 0);
        assertThat(call.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        goodDevice.close();
        hub.close();
        LeakDetection.assertNoLeaks();
    }

    static SSLContext tls(DeviceIdentity d) {
        return TlsContexts.forDevice(d, pki.trustAnchors());
    }

    static DeviceIdentity registered(String id) throws Exception {
        DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of(id), KeyAlgorithm.EC_P256);
        PahoLifecycleIT.hub = hub;
        PahoLifecycleIT.pki = pki;
        PahoLifecycleIT.register(d);
        return d;
    }

    static PahoDevice connectHub(DeviceIdentity d) throws MqttException {
        PahoDevice p = new PahoDevice(hub.port(), d.deviceId().value());
        p.connect(HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format(), tls(d));
        return p;
    }

    static int refusedCode(DeviceIdentity cert, String deviceId) throws MqttException {
        try (PahoDevice p = new PahoDevice(hub.port(), deviceId)) {
            p.connect(HubUsername.of(HubHostName.of("127.0.0.1"), DeviceId.of(deviceId), null).format(), tls(cert));
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    @Test
    void unknownCaIsNotAuthorized() throws Exception {
        DeviceIdentity stranger;
        try (ThrowAwayPki other = ThrowAwayPki.create()) { // another factory's PKI, which no enrollment names
            stranger = other.device("stranger");
        }
        assertThat(refusedCode(stranger, "stranger")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        JsonNode dps = dpsError(stranger, "{\"registrationId\":\"stranger\"}");
        assertThat(dps.get("status").asInt()).isEqualTo(401);
        assertThat(dps.get("body").get("errorCode").asInt()).isEqualTo(401002);
    }

    @Test
    void certificateCnMustBeTheDeviceId() throws Exception {
        DeviceIdentity other = registered("cn-b");
        DeviceIdentity mine = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("cn-a"), KeyAlgorithm.EC_P256);
        assertThat(refusedCode(mine, "cn-b")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(refusedCode(other, "cn-b")).isZero();
    }

    @Test
    void mqtt5IsRefusedWithCode1() throws Exception {
        DeviceIdentity d = registered("mqtt5-001");
        long before = hub.gateway().refusals().getOrDefault(VERSION_REFUSED, 0L);
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(
                "ssl://127.0.0.1:" + hub.port(), "mqtt5-001", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            var options = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
            options.setSocketFactory(tls(d).getSocketFactory());
            options.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format());
            options.setConnectionTimeout(10);
            options.setAutomaticReconnect(false);
            assertThatThrownBy(() -> client.connect(options))
                    .isInstanceOf(org.eclipse.paho.mqttv5.common.MqttException.class);
            assertThat(client.isConnected()).isFalse();
        } finally {
            client.close(true);
        }
        assertThat(hub.gateway().refusals().get(VERSION_REFUSED)).as("refused by its protocol level, not by a decoder error")
                .isEqualTo(before + 1);
        assertThat(hub.devices().isConnected(d.deviceId())).isFalse();
    }

    static final String VERSION_REFUSED = "CONNECT refused: CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION";

    @Test
    void disabledEnrollmentAndDisabledDevice() throws Exception {
        DeviceIdentity d = registered("dis-001");
        hub.registry().setStatus(d.deviceId(), DeviceStatus.DISABLED);
        assertThat(refusedCode(d, "dis-001")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        hub.registry().setStatus(d.deviceId(), DeviceStatus.ENABLED);
        assertThat(refusedCode(d, "dis-001")).isZero();

        hub.enrollments().setEnabled("factory", false);
        try {
            assertThat(refusedCode(d, "dis-001")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            JsonNode dps = dpsError(d, "{\"registrationId\":\"dis-001\"}");
            assertThat(dps.get("status").asInt()).isEqualTo(403);
            assertThat(dps.get("body").get("message").asText()).contains("enrollment group 'factory' is disabled");
        } finally {
            hub.enrollments().setEnabled("factory", true);
        }
    }

    @Test
    void unknownDeviceAndWrongHubNameAndClientId() throws Exception {
        DeviceIdentity unregistered = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("never-registered"), KeyAlgorithm.EC_P256);
        assertThat(refusedCode(unregistered, "never-registered")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        try (PahoDevice p = new PahoDevice(hub.port(), good.deviceId().value())) {
            assertThatThrownBy(() -> p.connect("other-hub.example/good-001/?api-version=2020-09-30", tls(good)))
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        }
        try (PahoDevice p = new PahoDevice(hub.port(), "someone-else")) {
            assertThatThrownBy(() -> p.connect(HubUsername.of(HubHostName.of("127.0.0.1"), good.deviceId(), null).format(), tls(good)))
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID));
        }
        try (PahoDevice p = new PahoDevice(hub.port(), good.deviceId().value())) {
            assertThatThrownBy(() -> p.connect("not a username", tls(good)))
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        }
    }

    @Test
    void subscribingToAnotherDevicesFilterFails() throws Exception {
        DeviceIdentity d = registered("sub-001");
        try (PahoDevice p = connectHub(d)) {
            int[] granted = p.client().subscribeWithResponse(
                    new String[]{"devices/good-001/messages/devicebound/#", "devices/sub-001/messages/devicebound/#", "#",
                            "$dps/registrations/res/#"}, new int[]{1, 1, 0, 0}).getGrantedQos();
            assertThat(granted).containsExactly(0x80, 1, 0x80, 0x80);
            assertThat(p.client().isConnected()).isTrue();
        }
    }

    @Test
    void publishingToAnotherDevicesTopicDisconnects() throws Exception {
        DeviceIdentity d = registered("pub-001");
        PahoDevice p = connectHub(d);
        try {
            p.publishExpectingDisconnect("devices/good-001/messages/events/type=telemetry", "{}", 0);
            awaitDisconnected(p);
        } finally {
            p.client().close(true);
        }
        PahoDevice q = connectHub(d);
        try {
            q.publishExpectingDisconnect("$iothub/methods/POST/reboot/?$rid=1", "{}", 0);
            awaitDisconnected(q);
        } finally {
            q.client().close(true);
        }
    }

    @Test
    void oversizedPublishDisconnects() throws Exception {
        DeviceIdentity d = registered("big-001");
        PahoDevice p = connectHub(d);
        try {
            p.publishExpectingDisconnect("devices/big-001/messages/events/type=telemetry", "x".repeat(256 * 1024 + 1), 0);
            awaitDisconnected(p);
        } finally {
            p.client().close(true);
        }
        // exactly the limit is fine
        try (PahoDevice q = connectHub(d)) {
            q.publish("devices/big-001/messages/events/type=telemetry", "x".repeat(256 * 1024), 1);
            assertThat(q.client().isConnected()).isTrue();
        }
    }

    @Test
    void malformedMqttBytesCloseTheConnection() throws Exception {
        // garbage instead of CONNECT
        try (SSLSocket s = rawTls(good)) {
            s.getOutputStream().write(new byte[]{(byte) 0xF0, 0x00});
            s.getOutputStream().flush();
            assertThat(readUntilClosed(s.getInputStream())).isEmpty();
        }
        // a valid CONNECT, then a SUBSCRIBE asking for QoS 3
        DeviceIdentity d = registered("raw-001");
        try (SSLSocket s = rawTls(d)) {
            s.getOutputStream().write(connect("raw-001", HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), null).format()));
            s.getOutputStream().flush();
            byte[] connack = s.getInputStream().readNBytes(4);
            assertThat(connack).containsExactly(0x20, 0x02, 0x00, 0x00);
            byte[] topic = "$iothub/methods/POST/#".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream sub = new ByteArrayOutputStream();
            sub.write(0x82);
            sub.write(2 + 2 + topic.length + 1);
            sub.write(new byte[]{0x00, 0x01, 0x00, (byte) topic.length});
            sub.write(topic);
            sub.write(0x03); // QoS 3 does not exist
            s.getOutputStream().write(sub.toByteArray());
            s.getOutputStream().flush();
            assertThat(readUntilClosed(s.getInputStream())).isEmpty();
        }
    }

    @Test
    void invalidDpsBodyAndUnknownOperation() throws Exception {
        DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dps-bad"), KeyAlgorithm.EC_P256);
        JsonNode bad = dpsError(d, "{\"registrationId\": 42}");
        assertThat(bad.get("status").asInt()).isEqualTo(400);
        assertThat(bad.get("body").get("errorCode").asInt()).isEqualTo(400004);
        assertThat(bad.get("body").get("message").asText()).contains("$.registrationId: expected a string");

        try (PahoDevice p = new PahoDevice(hub.port(), "dps-bad")) {
            p.connect(DpsUsername.of(IdScope.DEFAULT, d.registrationId()).format(), tls(d));
            p.client().subscribe("$dps/registrations/res/#", 1);
            p.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=9&operationId=4.unknown", "", 0);
            PahoDevice.Received r = p.awaitTopic("$dps/registrations/res/");
            assertThat(r.topic()).isEqualTo("$dps/registrations/res/404/?$rid=9");
            assertThat(JSON.readTree(r.payload()).get("errorCode").asInt()).isEqualTo(404202);
        }
        try (PahoDevice p = new PahoDevice(hub.port(), "dps-bad")) {
            assertThatThrownBy(() -> p.connect(DpsUsername.of(IdScope.of("0ne0000FFFF"), d.registrationId()).format(), tls(d)))
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        }
    }

    /** Registers with the given body; returns {"status":…, "body":{…}} of the answer. */
    static JsonNode dpsError(DeviceIdentity d, String body) throws Exception {
        try (PahoDevice p = new PahoDevice(hub.port(), d.registrationId().value())) {
            p.connect(DpsUsername.of(IdScope.DEFAULT, d.registrationId()).format(), tls(d));
            p.client().subscribe("$dps/registrations/res/#", 1);
            p.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", body, 0);
            PahoDevice.Received r = p.awaitTopic("$dps/registrations/res/");
            String status = r.topic().substring("$dps/registrations/res/".length(), r.topic().indexOf("/?"));
            var out = JSON.createObjectNode().put("status", Integer.parseInt(status));
            out.set("body", JSON.readTree(r.payload()));
            return out;
        }
    }

    static void awaitDisconnected(PahoDevice p) {
        Eventually.until("the hub closed the connection", () -> !p.client().isConnected());
    }

    static SSLSocket rawTls(DeviceIdentity d) throws IOException {
        SSLSocket s = (SSLSocket) tls(d).getSocketFactory().createSocket("127.0.0.1", hub.port());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
        }
        return out.toByteArray();
    }

    /** An MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, client id and username. */
    static byte[] connect(String clientId, String username) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[]{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, (byte) 0x82, 0x00, 0x3C});
        writeString(body, clientId);
        writeString(body, username);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int len = body.size();
        do {
            int digit = len % 128;
            len /= 128;
            packet.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        body.writeTo(packet);
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.write(b, 0, b.length);
    }
}

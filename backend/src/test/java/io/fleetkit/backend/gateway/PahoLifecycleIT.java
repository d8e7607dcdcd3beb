package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.hub.MethodResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.DeviceMessageTopics;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.SystemProperty;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A device's whole lifecycle with Paho over real TLS: DPS registration, then the hub. */
@Timeout(60)
@ThrowAwayPki.Use
class PahoLifecycleIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static EmbeddedHub hub;
    static final CertificateIssuer ISSUER = new CertificateIssuer();

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        pki = throwAway.directory();
        hub = EmbeddedHub.builder(pki).port(0).start();
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static SSLContext tls(DeviceIdentity d) {
        return TlsContexts.forDevice(d, pki.trustAnchors());
    }

    @Test
    void registerThenConnectSendReceiveAndAnswer() throws Exception {
        DeviceIdentity device = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("paho-001"), KeyAlgorithm.EC_P256);
        String assignedHub = register(device);
        assertThat(assignedHub).isEqualTo("127.0.0.1");

        DeviceId id = device.deviceId();
        try (PahoDevice d = new PahoDevice(hub.port(), id.value())) {
            d.connect(HubUsername.of(HubHostName.of(assignedHub), id, "paho/1.2.5").format(), tls(device));
            d.client().subscribe(new String[]{"$iothub/methods/POST/#", "devices/" + id + "/messages/devicebound/#",
                    "$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#"}, new int[]{0, 1, 0, 0});
            assertThat(hub.devices().isConnected(id)).isTrue();

            // telemetry, QoS 1: returns once the hub PUBACKed, i.e. the sink has it
            Telemetry t = new Telemetry(1, Instant.now(), Map.of("temperature", Reading.of(21.5)));
            d.publish(DeviceMessageTopics.topicFor(id, t).format(), new String(DeviceMessageCodec.CODEC.toJson(t), StandardCharsets.UTF_8), 1);
            DeviceToCloudMessage got = ((InMemoryDeviceToCloudSink) hub.sink()).await(m -> m.deviceId().equals(id), Duration.ofSeconds(5));
            assertThat(got.properties().get("type")).contains("telemetry");
            assertThat(got.properties().get(SystemProperty.MESSAGE_ID)).contains("1");
            assertThat(DeviceMessageCodec.CODEC.fromJson(got.body())).isEqualTo(t);

            // a direct method, answered by the device
            var call = hub.devices().invokeMethod(id, MethodName.of("setTelemetryInterval"),
                    "{\"intervalSeconds\":30}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            PahoDevice.Received request = d.awaitTopic("$iothub/methods/POST/");
            MethodRequestTopic rt = (MethodRequestTopic) Topic.parse(request.topic());
            assertThat(rt.methodName().value()).isEqualTo("setTelemetryInterval");
            assertThat(request.payload()).isEqualTo("{\"intervalSeconds\":30}");
            d.publish("$iothub/methods/res/200/?$rid=" + rt.requestId().value(), "{\"intervalSeconds\":30,\"previousIntervalSeconds\":60}", 0);
            MethodResult result = call.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.payloadText()).isEqualTo("{\"intervalSeconds\":30,\"previousIntervalSeconds\":60}");

            // twin: reported patch answered 204 with the new version, then GET shows it
            d.publish("$iothub/twin/PATCH/properties/reported/?$rid=5", "{\"firmware\":\"1.4.2\"}", 0);
            PahoDevice.Received patched = d.awaitTopic("$iothub/twin/res/");
            assertThat(patched.topic()).isEqualTo("$iothub/twin/res/204/?$rid=5&$version=2");
            d.publish("$iothub/twin/GET/?$rid=6", "", 0);
            PahoDevice.Received twin = d.awaitTopic("$iothub/twin/res/200/?$rid=6");
            JsonNode body = JSON.readTree(twin.payload());
            assertThat(body.get("reported").get("firmware").asText()).isEqualTo("1.4.2");
            assertThat(body.get("reported").get("$version").asLong()).isEqualTo(2);

            // desired properties and cloud-to-device
            hub.devices().updateDesired(id, JSON.createObjectNode().put("targetTemperature", 22));
            PahoDevice.Received desired = d.awaitTopic("$iothub/twin/PATCH/properties/desired/");
            assertThat(desired.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
            assertThat(JSON.readTree(desired.payload()).get("targetTemperature").asInt()).isEqualTo(22);
            hub.devices().sendCloudToDevice(id, "hello".getBytes(StandardCharsets.UTF_8), Map.of("color", "blue"));
            PahoDevice.Received c2d = d.awaitTopic("devices/" + id + "/messages/devicebound/");
            assertThat(c2d.payload()).isEqualTo("hello");
            assertThat(c2d.topic()).contains("color=blue").contains("%24.to=%2Fdevices%2Fpaho-001%2Fmessages%2Fdevicebound");
        }
        // after the disconnect the device is offline: a method call answers 404 at once
        awaitDisconnected(id);
        MethodResult offline = hub.devices().invokeMethod(id, MethodName.of("reboot"), new byte[0], Duration.ofSeconds(5)).get();
        assertThat(offline.status()).isEqualTo(404);
    }

    @Test
    void methodTimeoutIs504() throws Exception {
        DeviceIdentity device = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("paho-silent"), KeyAlgorithm.EC_P256);
        register(device);
        try (PahoDevice d = new PahoDevice(hub.port(), device.deviceId().value())) {
            d.connect(HubUsername.of(HubHostName.of("127.0.0.1"), device.deviceId(), null).format(), tls(device));
            d.client().subscribe("$iothub/methods/POST/#", 0);
            MethodResult r = hub.devices().invokeMethod(device.deviceId(), MethodName.of("reboot"), new byte[0], Duration.ofMillis(300))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.payloadText()).contains("504101").contains("did not answer 'reboot' within 300 ms");
        }
    }

    /** Registers through DPS with Paho; returns the assigned hub. */
    static String register(DeviceIdentity device) throws Exception {
        return register(hub.port(), device, tls(device));
    }

    /** Registers a device with DPS over MQTT (202, then a poll answered 200 "assigned"); returns its hub. */
    static String register(int port, DeviceIdentity device, SSLContext tls) throws Exception {
        RegistrationId id = device.registrationId();
        try (PahoDevice d = new PahoDevice(port, id.value())) {
            d.connect(DpsUsername.of(IdScope.DEFAULT, id).format(), tls);
            d.client().subscribe("$dps/registrations/res/#", 1);
            d.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", "{\"registrationId\":\"" + id + "\"}", 0);
            PahoDevice.Received accepted = d.awaitTopic("$dps/registrations/res/");
            assertThat(accepted.topic()).isEqualTo("$dps/registrations/res/202/?$rid=1&retry-after=2");
            String op = JSON.readTree(accepted.payload()).get("operationId").asText();
            d.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=" + op, "", 0);
            PahoDevice.Received assigned = d.awaitTopic("$dps/registrations/res/200/?$rid=2");
            JsonNode state = JSON.readTree(assigned.payload()).get("registrationState");
            assertThat(state.get("status").asText()).isEqualTo("assigned");
            assertThat(state.get("deviceId").asText()).isEqualTo(id.value());
            return state.get("assignedHub").asText();
        }
    }

    static void awaitDisconnected(DeviceId id) throws InterruptedException {
        awaitDisconnected(hub, id);
    }

    static void awaitConnected(EmbeddedHub hub, DeviceId id) {
        Eventually.until("device " + id + " connected", () -> hub.devices().isConnected(id));
    }

    static void awaitDisconnected(EmbeddedHub hub, DeviceId id) {
        Eventually.until("device " + id + " disconnected", () -> !hub.devices().isConnected(id));
    }

    @Test
    void tls12ClientsAndASeparateDpsPort() throws Exception {
        try (EmbeddedHub split = EmbeddedHub.builder(pki).port(0).dpsPort(0).start()) {
            DeviceIdentity device = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("paho-tls12"), KeyAlgorithm.EC_P256);
            SSLContext tls12 = tls(device);
            javax.net.ssl.SSLSocketFactory only12 = new TlsVersionSocketFactory(tls12.getSocketFactory(), "TLSv1.2");
            try (PahoDevice d = new PahoDevice(split.dpsPort(), device.registrationId().value())) {
                d.connect(DpsUsername.of(IdScope.DEFAULT, device.registrationId()).format(), only12);
                d.client().subscribe("$dps/registrations/res/#", 1);
                d.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", "{\"registrationId\":\"paho-tls12\"}", 0);
                assertThat(d.awaitTopic("$dps/registrations/res/").topic()).startsWith("$dps/registrations/res/202/");
            }
            try (PahoDevice d = new PahoDevice(split.port(), device.deviceId().value())) {
                d.connect(HubUsername.of(HubHostName.of("127.0.0.1"), device.deviceId(), null).format(), only12);
                awaitConnected(split, device.deviceId()); // the CONNACK can reach the client a moment before the session is attached
            }
            try (PahoDevice d = new PahoDevice(split.dpsPort(), device.deviceId().value())) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                                d.connect(HubUsername.of(HubHostName.of("127.0.0.1"), device.deviceId(), null).format(), tls12))
                        .as("the DPS-only port refuses the hub dialect")
                        .isInstanceOf(org.eclipse.paho.client.mqttv3.MqttException.class);
            }
        }
    }

    /** Restricts the sockets Paho opens to one TLS version. */
    static final class TlsVersionSocketFactory extends javax.net.ssl.SSLSocketFactory {
        private final javax.net.ssl.SSLSocketFactory delegate;
        private final String version;

        TlsVersionSocketFactory(javax.net.ssl.SSLSocketFactory delegate, String version) {
            this.delegate = delegate;
            this.version = version;
        }

        private java.net.Socket only(java.net.Socket s) {
            ((javax.net.ssl.SSLSocket) s).setEnabledProtocols(new String[]{version});
            return s;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose) throws java.io.IOException {
            return only(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            return only(delegate.createSocket());
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return only(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws java.io.IOException {
            return only(delegate.createSocket(host, port, local, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return only(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local, int localPort) throws java.io.IOException {
            return only(delegate.createSocket(address, port, local, localPort));
        }
    }
}

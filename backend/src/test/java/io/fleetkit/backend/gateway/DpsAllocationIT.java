package io.fleetkit.backend.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.dps.AllocationPolicy;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.Eventually;
import io.fleetkit.testing.ThrowAwayPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPS's custom allocation over MQTT, as a device sees it: the webhook (a local HTTP server in Azure Functions' shape) picks one
 * of the linked hubs and the device connects there; a webhook that fails gives the device DPS's "failed" registration state.
 */
@ThrowAwayPki.Use
class DpsAllocationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer webhook;
    private EmbeddedHub hub;

    @BeforeEach
    void startTheWebhook() throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/api/allocate", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            boolean refuse = request.get("deviceRuntimeContext").get("registrationId").asText().startsWith("refused");
            byte[] body = ("{\"iotHubHostName\":\"localhost\",\"initialTwin\":{\"properties\":{\"desired\":{\"mode\":\"eco\"}}}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(refuse ? 503 : 200, refuse ? -1 : body.length);
            if (!refuse) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        webhook.stop(0);
    }

    private EmbeddedHub hub(ThrowAwayPki pki) {
        URI url = URI.create("http://127.0.0.1:" + webhook.getAddress().getPort() + "/api/allocate");
        return EmbeddedHub.builder(pki.directory()).port(0).hubHostNames(List.of(HubHostName.of("127.0.0.1"), HubHostName.of("localhost")))
                .allocation(new AllocationPolicy.Custom(url)).start();
    }

    /** Registers over MQTT and polls until DPS has decided; the registration state. */
    private static JsonNode register(int port, DeviceIdentity device, SSLContext tls) throws Exception {
        String id = device.registrationId().value();
        try (PahoDevice d = new PahoDevice(port, id)) {
            d.connect(DpsUsername.of(IdScope.DEFAULT, device.registrationId()).format(), tls);
            d.client().subscribe("$dps/registrations/res/#", 1);
            d.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", "{\"registrationId\":\"" + id + "\"}", 0);
            String op = JSON.readTree(d.awaitTopic("$dps/registrations/res/202/?$rid=1").payload()).get("operationId").asText();
            int[] rid = {1};
            JsonNode[] state = new JsonNode[1];
            // 202 until the webhook has answered (a moment on two busy cores): poll again, as the device does after retry-after
            Eventually.until("DPS decided the registration of " + id, () -> {
                try {
                    return decided(d, ++rid[0], op, state);
                } catch (Exception e) {
                    throw new IllegalStateException("polling DPS for " + id + ": " + e, e);
                }
            });
            return state[0];
        }
    }

    /** One status poll: true (and the state) once DPS answers 200, false while it answers 202. */
    private static boolean decided(PahoDevice d, int current, String op, JsonNode[] state) throws Exception {
        d.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + current + "&operationId=" + op, "", 0);
        PahoDevice.Received answer = d.await(r -> r.topic().contains("$rid=" + current), Duration.ofSeconds(10));
        if (answer.topic().startsWith("$dps/registrations/res/200/")) {
            state[0] = JSON.readTree(answer.payload()).get("registrationState");
            return true;
        }
        assertThat(answer.topic()).startsWith("$dps/registrations/res/202/");
        return false;
    }

    @Test
    void theWebhooksHubIsWhereTheDeviceConnectsWithItsInitialTwin(ThrowAwayPki pki) throws Exception {
        hub = hub(pki);
        DeviceIdentity device = pki.device("custom-dev-1");
        SSLContext tls = TlsContexts.forDevice(device, pki.directory().trustAnchors());
        JsonNode state = register(hub.port(), device, tls);
        assertThat(state.get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("assignedHub").asText()).as("the webhook chose the second linked hub").isEqualTo("localhost");
        try (PahoDevice d = new PahoDevice(hub.port(), "custom-dev-1")) {
            d.connect(HubUsername.of(HubHostName.of("localhost"), device.deviceId(), "paho/1.2.5").format(), tls);
            d.client().subscribe("$iothub/twin/res/#", 0);
            d.publish("$iothub/twin/GET/?$rid=7", "", 0);
            JsonNode twin = JSON.readTree(d.awaitTopic("$iothub/twin/res/200/?$rid=7").payload());
            assertThat(twin.get("desired").get("mode").asText()).as("the webhook's initial twin").isEqualTo("eco");
        }
    }

    @Test
    void aFailingWebhookGivesTheDeviceDpsFailedState(ThrowAwayPki pki) throws Exception {
        hub = hub(pki);
        DeviceIdentity device = pki.device("refused-dev-1");
        JsonNode state = register(hub.port(), device, TlsContexts.forDevice(device, pki.directory().trustAnchors()));
        assertThat(state.get("status").asText()).isEqualTo("failed");
        assertThat(state.get("errorCode").asInt()).isEqualTo(400209);
        assertThat(state.get("errorMessage").asText()).isEqualTo("Custom allocation failed with status code: 503");
        assertThat(hub.registry().find(device.deviceId())).as("not registered").isEmpty();
    }
}

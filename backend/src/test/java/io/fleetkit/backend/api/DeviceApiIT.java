package io.fleetkit.backend.api;

import io.fleetkit.testing.ThrowAwayPki;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.ApiClient.Response;
import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DeviceApi} with devices and telemetry in the store and, for direct methods, a device connected with Paho: what a
 * user and an operator see, paging by its {@code next} links, and the answers of a call.
 */
@ThrowAwayPki.Use
class DeviceApiIT {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static Backend backend;
    static ApiClient api;
    static String alice;
    static String bob;
    static String operator;
    static final ExecutorService answering = Executors.newSingleThreadExecutor();
    /** Cloud-to-device messages the Paho devices received: "topic body". */
    static final BlockingQueue<String> devicebound = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        pki = throwAway.directory();
        backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0).start();
        api = new ApiClient(backend.httpPort());
        alice = backend.devIssuer().mint("alice", false, Duration.ofMinutes(5));
        bob = backend.devIssuer().mint("bob", false, Duration.ofMinutes(5));
        operator = backend.devIssuer().mint("ops", true, Duration.ofMinutes(5));
        DeviceStateStore devices = new DeviceStateStore(backend.database());
        for (String id : List.of("alpha-1", "alpha-2", "alpha-3", "beta-1", "beta-2")) {
            devices.recordBoot(DeviceId.of(id), "dtmi:fk:thermostat;1", "1.0." + id.length(), T0, "power-on");
        }
        for (String id : List.of("alpha-1", "alpha-2", "beta-1")) {
            devices.setOwner(DeviceId.of(id), "alice");
        }
    }

    @AfterAll
    static void stop() {
        answering.shutdownNow();
        backend.close();
    }

    /** Every item of a listing, following its {@code next} links; the pages' sizes in {@code pages}. */
    static List<JsonNode> allPages(String first, String token, List<Integer> pages) {
        List<JsonNode> items = new ArrayList<>();
        String next = first;
        while (next != null) {
            Response r = api.get(next, token);
            assertThat(r.status()).as("%s: %s", next, r.text()).isEqualTo(200);
            r.json().get("items").forEach(items::add);
            pages.add(r.json().get("items").size());
            next = r.json().get("next").isNull() ? null : r.json().get("next").asText();
            assertThat(pages.size()).as("pages of %s", first).isLessThan(100);
        }
        return items;
    }

    static List<String> field(List<JsonNode> items, String name) {
        return items.stream().map(n -> n.get(name).asText()).toList();
    }

    @Test
    void anOperatorPagesThroughEveryDeviceAndAUserThroughTheirsOnly() {
        List<Integer> pages = new ArrayList<>();
        List<JsonNode> all = allPages("/api/v1/devices?limit=2", operator, pages);
        assertThat(field(all, "deviceId")).containsExactly("alpha-1", "alpha-2", "alpha-3", "beta-1", "beta-2");
        assertThat(pages).containsExactly(2, 2, 1);
        assertThat(all.get(0).get("ownerId").asText()).isEqualTo("alice");
        assertThat(all.get(2).get("ownerId").isNull()).isTrue();
        assertThat(all.get(0).has("owned")).as("an operator sees the owner, not 'owned'").isFalse();

        pages.clear();
        List<JsonNode> mine = allPages("/api/v1/devices?limit=3", alice, pages);
        assertThat(field(mine, "deviceId")).containsExactly("alpha-1", "alpha-2", "beta-1");
        assertThat(pages).as("a full last page has a next link, to an empty page").containsExactly(3, 0);
        assertThat(mine).allSatisfy(d -> {
            assertThat(d.get("owned").asBoolean()).isTrue();
            assertThat(d.has("ownerId")).isFalse();
        });
        assertThat(api.get("/api/v1/devices", bob).json().get("items")).isEmpty();
        assertThat(api.get("/api/v1/devices", bob).json().get("next").isNull()).isTrue();
    }

    @Test
    void aSearchKeepsItsTermInItsNextLinks() {
        List<Integer> pages = new ArrayList<>();
        assertThat(field(allPages("/api/v1/devices?q=alpha&limit=1", operator, pages), "deviceId"))
                .containsExactly("alpha-1", "alpha-2", "alpha-3");
        Response first = api.get("/api/v1/devices?q=alpha&limit=1", operator);
        assertThat(first.json().get("next").asText()).isEqualTo("/api/v1/devices?after=alpha-1&q=alpha&limit=1");
        assertThat(field(allPages("/api/v1/devices?q=a-", alice, new ArrayList<>()), "deviceId")).containsExactly("alpha-1", "alpha-2", "beta-1");
        assertThat(api.get("/api/v1/devices?q=" + "x".repeat(128), operator).status()).isEqualTo(200);
        Response tooLong = api.get("/api/v1/devices?q=" + "x".repeat(129), operator);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text()).contains("'q' must be at most 128 characters", "was 129");
    }

    @Test
    void aDeviceIsSeenByItsOwnerAndOperatorsOnly() {
        Response own = api.get("/api/v1/devices/alpha-1", alice);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().get("deviceId").asText()).isEqualTo("alpha-1");
        assertThat(own.json().get("modelId").asText()).isEqualTo("dtmi:fk:thermostat;1");
        assertThat(own.json().get("firmwareVersion").asText()).isEqualTo("1.0.7");
        assertThat(own.json().get("resetReason").asText()).isEqualTo("power-on");
        assertThat(own.json().get("lastBoot").asText()).isEqualTo(T0.toString());
        assertThat(api.get("/api/v1/devices/alpha-3", alice).status()).as("nobody's device, to a user").isEqualTo(404);
        assertThat(api.get("/api/v1/devices/alpha-1", bob).status()).as("alice's device, to bob").isEqualTo(404);
        assertThat(api.get("/api/v1/devices/alpha-3", operator).status()).isEqualTo(200);
    }

    @Test
    void telemetryPagesSkipAndRepeatNothingWhenTimestampsCollide() {
        TelemetryStore store = new TelemetryStore(backend.database());
        DeviceId id = DeviceId.of("alpha-2");
        List<TelemetryStore.Row> rows = new ArrayList<>();
        for (int seq = 1; seq <= 7; seq++) {
            Instant at = T0.plusSeconds(seq / 3); // three rows share each second
            rows.add(new TelemetryStore.Row(id, seq, at, at.plusMillis(5), "{\"temperature\":" + (20 + seq) + "}"));
        }
        rows.add(new TelemetryStore.Row(id, 8, T0.plusSeconds(60), T0.plusSeconds(60), "not json"));
        store.insert(rows);

        List<Integer> pages = new ArrayList<>();
        List<JsonNode> all = allPages("/api/v1/devices/alpha-2/telemetry?limit=2", alice, pages);
        assertThat(all.stream().map(n -> n.get("seq").asLong()).toList()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(pages).containsExactly(2, 2, 2, 2, 0);
        assertThat(all.get(0).get("readings").get("temperature").asInt()).isEqualTo(21);
        assertThat(all.get(0).get("deviceTime").asText()).isEqualTo(T0.toString());
        assertThat(all.get(0).get("enqueuedTime").asText()).isEqualTo(T0.plusMillis(5).toString());
        assertThat(all.get(7).get("readings").asText()).as("kept as text when not JSON").isEqualTo("not json");

        Response window = api.get("/api/v1/devices/alpha-2/telemetry?from=" + T0.plusSeconds(1) + "&to=" + T0.plusSeconds(2), alice);
        assertThat(window.json().get("items").findValuesAsText("seq")).as("[from, to)").containsExactly("3", "4", "5");
        assertThat(window.json().get("deviceId").asText()).isEqualTo("alpha-2");
        assertThat(window.json().get("next").isNull()).isTrue();
        Response after = api.get("/api/v1/devices/alpha-2/telemetry?from=" + T0.plusSeconds(1) + "&afterSeq=4", alice);
        assertThat(after.json().get("items").findValuesAsText("seq")).containsExactly("5", "6", "7", "8");

        assertThat(api.get("/api/v1/devices/alpha-2/telemetry", bob).status()).as("not bob's").isEqualTo(404);
        Response notInteger = api.get("/api/v1/devices/alpha-2/telemetry?afterSeq=x1", alice);
        assertThat(notInteger.status()).isEqualTo(400);
        assertThat(notInteger.text()).contains("'afterSeq' must be an integer, was 'x1'");
        Response backwards = api.get("/api/v1/devices/alpha-2/telemetry?from=" + T0 + "&to=" + T0, alice);
        assertThat(backwards.status()).as("an empty window").isEqualTo(400);
        assertThat(backwards.text()).contains("'from' (" + T0 + ") must be before 'to'");
    }

    @Test
    void aDirectMethodGetsTheDevicesAnswerOrTheHubsReason() throws Exception {
        assertThat(api.post("/api/v1/devices/alpha-1/methods/reboot", alice, "{}").status()).as("in the store, never connected").isEqualTo(404);
        assertThat(api.post("/api/v1/devices/alpha-1/methods/reboot", bob, "{}").status()).isEqualTo(404);
        Response badName = api.post("/api/v1/devices/alpha-1/methods/" + "m".repeat(200), alice, "{}");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.text()).contains("method name: ");
        assertThat(api.post("/api/v1/devices/alpha-1/methods/reboot?timeoutSeconds=4", alice, "{}").status()).isEqualTo(400);

        BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        MqttClient device = connected("alpha-1", topic -> {
            requests.add(topic);
            String method = topic.split("/")[3];
            return switch (method) {
                case "json" -> "{\"done\":true}";
                case "text" -> "not json";
                case "empty" -> "";
                default -> null; // no answer
            };
        });
        try {
            Response json = api.post("/api/v1/devices/alpha-1/methods/json", alice, "{\"delay\":5}");
            assertThat(json.status()).as(json.text()).isEqualTo(200);
            assertThat(json.json().get("status").asInt()).isEqualTo(200);
            assertThat(json.json().get("payload").get("done").asBoolean()).isTrue();
            assertThat(requests.take()).startsWith("$iothub/methods/POST/json/?$rid=");

            Response text = api.post("/api/v1/devices/alpha-1/methods/text", operator, null);
            assertThat(text.json().get("payload").asText()).isEqualTo("not json");
            Response empty = api.post("/api/v1/devices/alpha-1/methods/empty", alice, null);
            assertThat(empty.json().get("payload").isNull()).isTrue();

            Response silent = api.post("/api/v1/devices/alpha-1/methods/silent?timeoutSeconds=5", alice, null);
            assertThat(silent.status()).isEqualTo(504);
            assertThat(silent.text()).contains("did not answer 'silent' within 5 s");
        } finally {
            device.disconnect();
            device.close();
        }
    }

    @Test
    void aCloudToDeviceMessageWaitsForItsDeviceAndAFullQueueIsRefused() throws Exception {
        String path = "/api/v1/devices/alpha-2/messages";
        assertThat(api.post("/api/v1/devices/alpha-3/messages", alice, "{\"body\":1}").status()).as("not hers").isEqualTo(404);
        assertThat(api.post("/api/v1/devices/nobody/messages", operator, "{\"body\":1}").status()).isEqualTo(404);
        Response noBody = api.post(path, alice, "{\"properties\":{}}");
        assertThat(noBody.status()).isEqualTo(400);
        assertThat(noBody.text()).contains("needs a 'body'");
        assertThat(api.post(path, alice, "{\"body\":1,\"ttlSeconds\":0}").text()).contains("'ttlSeconds' must be 1–172800, was 0");
        assertThat(api.post(path, alice, "{\"body\":1,\"properties\":{\"$to\":\"x\"}}").text()).contains("not an application property's");
        assertThat(api.post(path, alice, "{\"body\":1,\"properties\":{\"n\":2}}").text()).contains("property 'n' must be a string");
        assertThat(api.post(path, alice, "{\"body\":1,\"properties\":[]}").text()).contains("'properties' must be an object");
        Response tooBig = api.post(path, alice, "{\"body\":\"" + "x".repeat(65_530) + "\",\"properties\":{\"size\":\"big\"}}");
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.text()).contains("at most 65536 bytes with its properties", "this one is 65537");

        // alpha-2 is offline: both wait for it, in order
        Response first = api.post(path, alice, "{\"body\":{\"setpoint\":21.5},\"properties\":{\"kind\":\"config\"}}");
        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertThat(first.json().get("status").asText()).isEqualTo("queued");
        String firstId = first.json().get("messageId").asText();
        assertThat(api.post(path, operator, "{\"body\":\"plain text\",\"ttlSeconds\":600}").status()).isEqualTo(202);
        MqttClient device = connected("alpha-2", topic -> null);
        try {
            device.subscribe("devices/alpha-2/messages/devicebound/#", 1);
            String one = devicebound.poll(15, java.util.concurrent.TimeUnit.SECONDS);
            String two = devicebound.poll(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(one).startsWith("devices/alpha-2/messages/devicebound/").contains("%24.mid=" + firstId, "kind=config")
                    .endsWith(" {\"setpoint\":21.5}");
            assertThat(two).contains("%24.exp=").endsWith(" plain text");
        } finally {
            device.disconnect();
            device.close();
        }

        // alpha-3 never connects: its queue holds IoT Hub's 50, the 51st is refused and says why
        for (int i = 0; i < 50; i++) {
            assertThat(api.post("/api/v1/devices/alpha-3/messages", operator, "{\"body\":" + i + "}").status()).isEqualTo(202);
        }
        Response full = api.post("/api/v1/devices/alpha-3/messages", operator, "{\"body\":50}");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.text()).contains("holds 50 messages already", "DeviceMaximumQueueDepthExceeded");
    }

    /** {@code id} on the hub with Paho, answering each method request with {@code answer(topic)} (null: no answer); cloud-to-device messages go to {@link #devicebound}. */
    static MqttClient connected(String id, Function<String, String> answer) throws MqttException {
        DeviceIdentity identity = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of(id), KeyAlgorithm.EC_P256);
        backend.hub().registry().createIfAbsent(identity.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
        MqttClient client = new MqttClient("ssl://127.0.0.1:" + backend.hub().port(), id, new MemoryPersistence());
        client.setTimeToWait(15_000);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (topic.contains("/messages/devicebound/")) {
                    devicebound.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
                    return;
                }
                String body = answer.apply(topic);
                if (body != null) {
                    String rid = topic.substring(topic.indexOf("$rid=") + 5);
                    // not from Paho's callback thread: a publish there waits on that thread
                    answering.execute(() -> {
                        try {
                            client.publish("$iothub/methods/res/200/?$rid=" + rid, body.getBytes(StandardCharsets.UTF_8), 0, false);
                        } catch (MqttException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), identity.deviceId(), null).format());
        o.setSocketFactory(TlsContexts.forDevice(identity, pki.trustAnchors()).getSocketFactory());
        client.connect(o);
        client.subscribe("$iothub/methods/POST/#", 0);
        Eventually.until(id + " listening for methods", () -> backend.hub().devices().isConnected(identity.deviceId()));
        return client;
    }
}

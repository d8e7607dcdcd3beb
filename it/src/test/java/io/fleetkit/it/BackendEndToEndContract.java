package io.fleetkit.it;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.ApiClient.Response;
import io.fleetkit.backend.testing.MutableClock;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.paho.PahoDevice;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.mqtt.HubUsername;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend end to end, on one database: firmware-model devices on Paho over TLS → hub →
 * routing (telemetry and lifecycle to different endpoints) → processors → store → REST API with
 * JWTs; ownership claimed by a button press. Claims without a press, with a forged signature or
 * by a second user grant nothing, and other users get 404 for everything of the device.
 */
@ThrowAwayPki.Use
abstract class BackendEndToEndContract {
    @TempDir
    Path tmp;

    abstract Database database();

    /** Where the streams live: the file log under the data directory unless an engine says otherwise. */
    Backend.Builder streams(Backend.Builder builder) {
        return builder;
    }

    @Test
    void anOwnerWhoPressedTheButtonReadsTelemetryAndInvokesMethods(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceModel base = DeviceModels.builtIn("thermostat");
        DeviceModel model = new DeviceModel(base.id(), base.name(), base.firmwareVersion(), Duration.ofMillis(500), base.telemetry(), base.methods());
        DeviceIdentity real = issuer.issueDevice(pki.intermediate(), RegistrationId.of("e2e-thermostat"), KeyAlgorithm.EC_P256);
        DeviceIdentity forged = issuer.issueDevice(pki.intermediate(), RegistrationId.of("e2e-forger"), KeyAlgorithm.EC_P256);
        PrivateKey someoneElsesKey = issuer.issueDevice(pki.intermediate(), RegistrationId.of("elsewhere"), KeyAlgorithm.EC_P256).credential().key();
        DeviceId id = real.deviceId();
        MutableClock clock = new MutableClock();
        MethodOverrides overrides = new MethodOverrides();

        try (Backend backend = streams(Backend.builder(pki, tmp.resolve("data"))).database(database()).hub(h -> h.port(0))
                .http("127.0.0.1", 0).clock(clock)
                .capture("telemetry", new CaptureConfig(tmp.resolve("capture"), "fleetkit", "e2e", Duration.ofSeconds(1), 1 << 20,
                        Backend.CAPTURED_BODY_FIELDS, Set.of()))
                .start();
             PahoDevice device = new PahoDevice(firmware(real, model, real.credential().key(), overrides),
                     TlsContexts.forDevice(real, pki.trustAnchors()), Clock.systemUTC(), backend.hub().port(), s -> { });
             // a device that signs its presence with a key that is not its certificate's
             PahoDevice forger = new PahoDevice(firmware(forged, model, someoneElsesKey, new MethodOverrides()),
                     TlsContexts.forDevice(forged, pki.trustAnchors()), Clock.systemUTC(), backend.hub().port(), s -> { })) {
            ApiClient api = new ApiClient(backend.httpPort());
            String alice = backend.devIssuer().mint("alice", false, Duration.ofMinutes(10));
            String bob = backend.devIssuer().mint("bob", false, Duration.ofMinutes(10));
            String ops = backend.devIssuer().mint("ops", true, Duration.ofMinutes(10));
            String path = "/api/v1/devices/" + id;

            device.boot();
            forger.boot();
            await("both devices online", () -> device.state() == LifecycleState.ONLINE && forger.state() == LifecycleState.ONLINE);
            TelemetryStore telemetry = new TelemetryStore(backend.database());
            await("telemetry stored", () -> telemetry.count(id) >= 4);

            // telemetry and lifecycle messages are in different endpoints
            assertThat(types(backend.streams().get("telemetry"))).containsOnly("telemetry");
            assertThat(types(backend.streams().get("lifecycle"))).contains("lifecycle", "deviceConnectionStateEvents").doesNotContain("telemetry");

            // an operator sees the state the lifecycle processor stored; alice sees nothing yet
            await("state stored", () -> api.get(path, ops).status() == 200 && api.get(path, ops).json().get("online").asBoolean());
            Response state = api.get(path, ops);
            assertThat(state.json().get("modelId").asText()).isEqualTo(model.id());
            assertThat(state.json().get("firmwareVersion").asText()).isEqualTo(model.firmwareVersion());
            assertThat(state.json().get("ownerId").isNull()).isTrue();
            assertThat(api.get(path, alice).status()).isEqualTo(404);
            assertThat(api.get("/api/v1/devices", alice).json().get("items")).isEmpty();
            assertThat(api.post(path + "/methods/identify", alice, "{\"durationSeconds\":2}").status()).isEqualTo(404);

            // a claim without the button press grants nothing, and blocks other users meanwhile
            Response unpressed = api.post(path + "/claims", alice, "{\"windowSeconds\": 30}");
            assertThat(unpressed.status()).as(unpressed.text()).isEqualTo(202);
            assertThat(unpressed.json().get("status").asText()).isEqualTo("PENDING");
            String unpressedUrl = unpressed.header("Location");
            assertThat(api.post(path + "/claims", bob, null).status()).as("another user's claim is pending").isEqualTo(409);
            assertThat(api.get(unpressedUrl, bob).status()).isEqualTo(404);
            clock.advance(Duration.ofMinutes(2));
            Response expired = api.get(unpressedUrl, alice);
            assertThat(expired.json().get("status").asText()).isEqualTo("EXPIRED");
            device.pressButton(); // within the device's own window, but the claim is over: the presence is ignored
            assertThat(backend.awaitProcessed(Duration.ofSeconds(10))).isTrue();
            assertThat(api.get(path, alice).status()).isEqualTo(404);

            // a presence whose signature does not verify with the device's certificate grants nothing
            Response forgedClaim = api.post("/api/v1/devices/" + forged.deviceId() + "/claims", alice, null);
            assertThat(forgedClaim.status()).as(forgedClaim.text()).isEqualTo(202);
            forger.pressButton();
            JsonNode rejected = awaitDecided(api, forgedClaim.header("Location"), alice);
            assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
            assertThat(rejected.get("reason").asText()).contains("signature");
            assertThat(api.get("/api/v1/devices/" + forged.deviceId(), alice).status()).isEqualTo(404);

            // the real claim: press within the window → alice owns the device
            Response claim = api.post(path + "/claims", alice, "{\"windowSeconds\": 60}");
            assertThat(claim.status()).as(claim.text()).isEqualTo(202);
            device.pressButton();
            JsonNode granted = awaitDecided(api, claim.header("Location"), alice);
            assertThat(granted.get("status").asText()).as(granted.toString()).isEqualTo("GRANTED");
            Response mine = api.get("/api/v1/devices", alice);
            assertThat(mine.json().get("items")).hasSize(1);
            assertThat(mine.json().get("items").get(0).get("deviceId").asText()).isEqualTo(id.value());
            assertThat(mine.json().get("items").get(0).get("owned").asBoolean()).isTrue();

            // her telemetry, paged: every row once, in order
            List<Long> seqs = new ArrayList<>();
            String page = path + "/telemetry?limit=2";
            for (int pages = 0; page != null && pages < 100; pages++) {
                Response r = api.get(page, alice);
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                r.json().get("items").forEach(item -> {
                    seqs.add(item.get("seq").asLong());
                    assertThat(item.get("readings").isObject()).isTrue();
                });
                page = r.json().get("next").isNull() ? null : r.json().get("next").asText();
            }
            assertThat(seqs).hasSizeGreaterThanOrEqualTo(4).isSorted().doesNotHaveDuplicates();

            // where the time went, stage by stage, in /metrics: the hub's two stages and the store processor's three
            await("every stage of the path measured in /metrics", () -> {
                String metrics = api.get("/metrics", null).text();
                return List.of("part=\"hub\",stage=\"appended\"", "part=\"hub\",stage=\"puback\"", "part=\"store\",stage=\"handed\"",
                        "part=\"store\",stage=\"handled\"", "part=\"store\",stage=\"stored\"",
                        "part=\"store\",stage=\"end_to_end\"").stream()
                        .allMatch(series -> metrics.lines().anyMatch(l -> l.startsWith("fleetkit_message_stage_seconds_count{" + series + "}")
                                && !l.endsWith(" 0")));
            });

            // a direct method through the API, answered by the device; a silent device is a 504
            Response identify = api.post(path + "/methods/identify", alice, "{\"durationSeconds\": 2}");
            assertThat(identify.status()).as(identify.text()).isEqualTo(200);
            assertThat(identify.json().get("status").asInt()).isEqualTo(200);
            assertThat(identify.json().get("payload").get("blinkingForSeconds").asInt()).isEqualTo(2);
            overrides.set(MethodName.of("identify"), MethodOverride.fixed(503, "{\"busy\":true}"));
            Response busy = api.post(path + "/methods/identify", alice, "{}");
            assertThat(busy.json().get("status").asInt()).isEqualTo(503);
            assertThat(busy.json().get("payload").get("busy").asBoolean()).isTrue();
            overrides.set(MethodName.of("identify"), MethodOverride.silent());
            assertThat(api.post(path + "/methods/identify?timeoutSeconds=5", alice, "{}").status()).isEqualTo(504);

            // bob: 404 for everything of alice's device
            assertThat(api.get(path, bob).status()).isEqualTo(404);
            assertThat(api.get(path + "/telemetry", bob).status()).isEqualTo(404);
            assertThat(api.post(path + "/methods/identify", bob, "{}").status()).isEqualTo(404);
            assertThat(api.delete(path + "/owner", bob).status()).isEqualTo(404);
            assertThat(api.get(claim.header("Location"), bob).status()).isEqualTo(404);

            // an offline device: 404 on methods
            forger.close();
            await("forger offline", () -> !backend.hub().devices().isConnected(forged.deviceId()));
            Response offline = api.post("/api/v1/devices/" + forged.deviceId() + "/methods/identify", ops, "{}");
            assertThat(offline.status()).as(offline.text()).isEqualTo(404);
            assertThat(offline.json().get("detail").asText()).contains("not connected");

            // GDPR erase: alice owns nothing and her claims are gone
            Response erased = api.delete("/api/v1/me", alice);
            assertThat(erased.json().get("devicesReleased").asInt()).isEqualTo(1);
            assertThat(erased.json().get("claimsErased").asInt()).isEqualTo(3);
            assertThat(api.get(path, alice).status()).isEqualTo(404);
            assertThat(api.get(claim.header("Location"), alice).status()).isEqualTo(404);
            assertThat(api.get(path, ops).json().get("ownerId").isNull()).isTrue();
        }
        // telemetry was captured too (CaptureTest checks the files' layout and contents)
        try (var files = Files.walk(tmp.resolve("capture"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".avro"))).isNotEmpty();
        }
    }

    @Test
    void desiredPropertiesAndQueuedMessagesSurviveARestartAndReachTheirDevices(ThrowAwayPki throwAway) throws Exception {
        PkiDirectory pki = throwAway.directory();
        CertificateIssuer issuer = new CertificateIssuer();
        DeviceIdentity raw = issuer.issueDevice(pki.intermediate(), RegistrationId.of("restart-paho"), KeyAlgorithm.EC_P256);
        DeviceIdentity modelled = issuer.issueDevice(pki.intermediate(), RegistrationId.of("restart-model"), KeyAlgorithm.EC_P256);
        DeviceModel model = DeviceModels.builtIn("thermostat");
        Path data = tmp.resolve("restart-data");
        String rawPath = "/api/v1/devices/" + raw.deviceId();
        try (Backend before = streams(Backend.builder(pki, data)).database(database()).hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            ApiClient api = new ApiClient(before.httpPort());
            String ops = before.devIssuer().mint("ops", true, Duration.ofMinutes(10));
            before.hub().registry().createIfAbsent(raw.deviceId(), io.fleetkit.backend.registry.Authentication.X509_CA_SIGNED, java.time.Instant.now());
            try (MqttClient once = mqtt(before, raw, pki);
                 PahoDevice firmware = new PahoDevice(firmware(modelled, model, modelled.credential().key(), new MethodOverrides()),
                         TlsContexts.forDevice(modelled, pki.trustAnchors()), Clock.systemUTC(), before.hub().port(), st -> { })) {
                firmware.boot();
                await("the firmware-model device online", () -> firmware.state() == LifecycleState.ONLINE);
                once.disconnect();
            }
            await("both devices known and offline", () -> api.get(rawPath, ops).status() == 200
                    && api.get("/api/v1/devices/" + modelled.deviceId(), ops).status() == 200
                    && !before.commands().isConnected(raw.deviceId()) && !before.commands().isConnected(modelled.deviceId()));

            Response patched = api.patch(rawPath + "/twin", ops, "{\"properties\":{\"desired\":{\"setpoint\":22.5}}}");
            assertThat(patched.status()).as(patched.text()).isEqualTo(200);
            for (String body : List.of("first", "second")) {
                Response sent = api.post(rawPath + "/messages", ops, "{\"body\":\"" + body + "\",\"properties\":{\"kind\":\"note\"}}");
                assertThat(sent.status()).as(sent.text()).isEqualTo(202);
            }
            assertThat(api.post("/api/v1/devices/" + modelled.deviceId() + "/messages", ops, "{\"body\":{\"display\":\"hello\"}}").status())
                    .isEqualTo(202);
        }

        try (Backend after = streams(Backend.builder(pki, data)).database(database()).hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            ApiClient api = new ApiClient(after.httpPort());
            String ops = after.devIssuer().mint("ops", true, Duration.ofMinutes(10));
            Response twin = api.get(rawPath + "/twin", ops);
            assertThat(twin.json().at("/properties/desired/setpoint").asDouble()).as(twin.text()).isEqualTo(22.5);
            assertThat(twin.json().at("/properties/desired/$version").asLong()).isEqualTo(2);
            assertThat(after.commands().queuedCloudToDevice(raw.deviceId())).as("queued before the restart").isEqualTo(2);

            java.util.concurrent.BlockingQueue<String[]> received = new java.util.concurrent.LinkedBlockingQueue<>();
            try (MqttClient device = mqtt(after, raw, pki)) {
                device.subscribe("$iothub/twin/res/#", 0, (topic, m) -> received.add(new String[]{topic, new String(m.getPayload())}));
                device.subscribe("devices/" + raw.deviceId() + "/messages/devicebound/#", 1,
                        (topic, m) -> received.add(new String[]{topic, new String(m.getPayload())}));
                device.publish("$iothub/twin/GET/?$rid=7", new byte[0], 0, false);
                List<String[]> seen = new ArrayList<>();
                await("the twin and both messages at the device", () -> {
                    received.drainTo(seen);
                    return seen.size() >= 3;
                });
                assertThat(seen).anySatisfy(r -> {
                    assertThat(r[0]).startsWith("$iothub/twin/res/200/?$rid=7");
                    assertThat(r[1]).contains("\"setpoint\":22.5");
                });
                List<String[]> messages = seen.stream().filter(r -> r[0].contains("/devicebound/")).toList();
                assertThat(messages).extracting(r -> r[1]).containsExactly("first", "second");
                assertThat(messages.get(0)[0]).contains("kind=note");
                await("both completed by their PUBACKs", () -> after.commands().queuedCloudToDevice(raw.deviceId()) == 0);
                device.disconnect();
            }
            try (PahoDevice firmware = new PahoDevice(firmware(modelled, model, modelled.credential().key(), new MethodOverrides()),
                    TlsContexts.forDevice(modelled, pki.trustAnchors()), Clock.systemUTC(), after.hub().port(), st -> { })) {
                firmware.boot();
                await("the firmware-model device took its message", () -> firmware.state() == LifecycleState.ONLINE
                        && after.commands().queuedCloudToDevice(modelled.deviceId()) == 0);
            }
        }
    }

    /** A plain Paho MQTT client connected to the hub as {@code device}, QoS 1 acknowledged automatically. */
    private static MqttClient mqtt(Backend backend, DeviceIdentity device, PkiDirectory pki) throws MqttException {
        MqttClient client = new MqttClient("ssl://127.0.0.1:" + backend.hub().port(), device.deviceId().value(), new MemoryPersistence());
        client.setTimeToWait(15_000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(HubUsername.of(HubHostName.of("127.0.0.1"), device.deviceId(), null).format());
        o.setSocketFactory(TlsContexts.forDevice(device, pki.trustAnchors()).getSocketFactory());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        client.connect(o);
        return client;
    }

    private static Firmware firmware(DeviceIdentity id, DeviceModel model, PrivateKey presenceKey, MethodOverrides overrides) {
        FirmwareConfig config = FirmwareConfig.of(id.registrationId(), "127.0.0.1", IdScope.DEFAULT, model);
        return new Firmware(config, new SimulatedHardware(model, presenceKey, new SplittableRandom(5)),
                NonVolatileState.factory(1), overrides, new SplittableRandom(5));
    }

    /** The "type" property, or the connection-event source, of every record in the stream. */
    private static Set<String> types(Stream stream) {
        Set<String> types = new HashSet<>();
        for (int p = 0; p < stream.partitions(); p++) {
            for (StreamRecord r : stream.read(p, stream.startOffset(p), 10_000)) {
                types.add(r.properties().getOrDefault("type", r.properties().getOrDefault("iothub-message-source", "?")));
            }
        }
        return types;
    }

    private static JsonNode awaitDecided(ApiClient api, String claimUrl, String token) {
        JsonNode[] last = new JsonNode[1];
        await("claim decided", () -> {
            last[0] = api.get(claimUrl, token).json();
            return !last[0].get("status").asText().equals("PENDING");
        });
        return last[0];
    }

    static void await(String what, BooleanSupplier condition) {
        Eventually.until(what, Duration.ofSeconds(30), condition);
    }
}

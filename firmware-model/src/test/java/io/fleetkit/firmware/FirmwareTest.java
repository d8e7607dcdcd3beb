package io.fleetkit.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.firmware.Action.Link;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.pki.PresenceSignatures;
import io.fleetkit.protocol.testport.TestPortMessage.LedMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.fleetkit.firmware.FirmwareHarness.only;
import static io.fleetkit.firmware.FirmwareHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

class FirmwareTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final FirmwareHarness h = new FirmwareHarness();

    @Test
    void provisionsThroughDpsThenGoesOnlineAndSendsTelemetry() throws Exception {
        List<Action> boot = h.on(new Event.Boot());
        Action.Connect dps = only(boot, Action.Connect.class);
        assertThat(dps.link()).isEqualTo(Link.DPS);
        assertThat(dps.host()).isEqualTo("global.example");
        assertThat(dps.username()).isEqualTo("0ne00000001/registrations/dev-001/api-version=2019-03-31&ClientVersion=2019-03-31");
        assertThat(h.firmware.state()).isEqualTo(LifecycleState.PROVISIONING);
        h.recent();
        h.provision();
        assertThat(h.flash.assignedHub()).as("the assignment is cached in flash").contains("127.0.0.1");
        assertThat(h.firmware.state()).isEqualTo(LifecycleState.ONLINE);
        List<Action> online = h.log;
        Action.Connect hub = only(online, Action.Connect.class, c -> c.link() == Link.HUB);
        assertThat(hub.username()).startsWith("127.0.0.1/dev-001/?api-version=2020-09-30&DeviceClientType=fleetkit-firmware%2F1.0");
        Action.Subscribe sub = only(online, Action.Subscribe.class, s -> s.link() == Link.HUB);
        assertThat(sub.filters()).containsExactly("$iothub/methods/POST/#", "devices/dev-001/messages/devicebound/#");
        Action.Publish bootMsg = only(online, Action.Publish.class, p -> p.topic().contains("type=lifecycle"));
        assertThat(bootMsg.qos()).isEqualTo(1);
        Lifecycle lifecycle = (Lifecycle) DeviceMessageCodec.CODEC.fromJson(bootMsg.payload());
        assertThat(lifecycle.event()).isEqualTo(new LifecycleEvent.Boot("1.4.2", "thermostat", LifecycleEvent.ResetReason.POWER_ON));
        assertThat(lifecycle.seq()).isZero();

        h.recent();
        List<Action> first = h.advance(Duration.ofSeconds(60));
        Action.Publish t = only(first, Action.Publish.class);
        assertThat(t.topic()).isEqualTo("devices/dev-001/messages/events/$.mid=1&$.ct=application%2Fjson&$.ce=utf-8&type=telemetry");
        Telemetry telemetry = (Telemetry) DeviceMessageCodec.CODEC.fromJson(t.payload());
        assertThat(telemetry.seq()).isEqualTo(1);
        assertThat(telemetry.readings()).containsOnlyKeys("temperature", "humidity", "targetTemperature", "heating", "batteryPercent");
        assertThat(h.advance(Duration.ofSeconds(60))).filteredOn(Action.Publish.class::isInstance).hasSize(1);
    }

    @Test
    void throttledRegistrationWaitsRetryAfterThenRegistersAgain() {
        h.on(new Event.Boot());
        h.on(new Event.Connected(Link.DPS));
        Action.Subscribe sub = only(h.recent(), Action.Subscribe.class);
        h.on(new Event.SubscribeAcknowledged(Link.DPS, sub.packetId(), new int[]{0}));
        Action.Publish register = only(h.recent(), Action.Publish.class);
        assertThat(register.topic()).isEqualTo("$dps/registrations/PUT/iotdps-register/?$rid=1");
        h.message(Link.DPS, "$dps/registrations/res/429/?$rid=1&retry-after=5", "{\"errorCode\":429001,\"trackingId\":\"t\","
                + "\"message\":\"throttled\",\"timestampUtc\":\"2026-11-26T10:00:00Z\"}");
        Action.Schedule wait = only(h.recent(), Action.Schedule.class);
        assertThat(wait.timer()).isEqualTo(Timer.REGISTER);
        assertThat(wait.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(h.advance(Duration.ofSeconds(4))).isEmpty();
        List<Action> retry = h.advance(wait.delay().minusSeconds(4));
        assertThat(only(retry, Action.Publish.class).topic()).isEqualTo("$dps/registrations/PUT/iotdps-register/?$rid=2");
        assertThat(h.firmware.state()).isEqualTo(LifecycleState.PROVISIONING);
    }

    @Test
    void rebootGoesStraightToTheCachedHub() {
        h.bootOnline();
        h.recent();
        h.message(Link.HUB, "$iothub/methods/POST/reboot/?$rid=a1", "{\"delaySeconds\":2}");
        Action.Publish answer = only(h.recent(), Action.Publish.class);
        assertThat(answer.topic()).isEqualTo("$iothub/methods/res/200/?$rid=a1");
        assertThat(text(answer)).isEqualTo("{\"rebootingInSeconds\":2}");
        List<Action> reboot = h.advance(Duration.ofSeconds(2));
        assertThat(only(reboot, Action.Disconnect.class).link()).isEqualTo(Link.HUB);
        Action.Connect again = only(reboot, Action.Connect.class);
        assertThat(again.link()).as("no DPS round trip after a reboot").isEqualTo(Link.HUB);
        h.hubOnline();
        Action.Publish boot = only(h.recent(), Action.Publish.class, p -> p.topic().contains("type=lifecycle"));
        assertThat(((LifecycleEvent.Boot) ((Lifecycle) DeviceMessageCodec.CODEC.fromJson(boot.payload())).event()).resetReason())
                .isEqualTo(LifecycleEvent.ResetReason.SOFTWARE);
    }

    @Test
    void hubLossRetriesTheSameHubThenProvisionsAgain() {
        h.bootOnline();
        h.recent();
        h.on(new Event.ConnectionLost(Link.HUB, "reset by peer"));
        assertThat(h.firmware.state()).isEqualTo(LifecycleState.BACKOFF);
        Action.Schedule first = only(h.recent(), Action.Schedule.class);
        assertThat(first.timer()).isEqualTo(Timer.RECONNECT);
        assertThat(first.delay()).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        // the hub stays away: every retry goes to the same hub until two minutes have passed
        int hubAttempts = 0;
        while (true) {
            List<Action> tick = h.advance(Duration.ofSeconds(61));
            Action.Connect c = only(tick, Action.Connect.class);
            if (c.link() == Link.DPS) {
                break;
            }
            hubAttempts++;
            assertThat(c.host()).isEqualTo("127.0.0.1");
            h.on(new Event.ConnectFailed(Link.HUB, -1, "connection refused"));
        }
        assertThat(hubAttempts).isBetween(2, 4);
        assertThat(h.flash.assignedHub()).as("the stale assignment is forgotten").isEmpty();
        assertThat(h.firmware.state()).isEqualTo(LifecycleState.PROVISIONING);
    }

    @Test
    void unacknowledgedMessagesAreSentAgainAfterReconnecting() {
        h.bootOnline();
        Action.Publish boot = only(h.recent(), Action.Publish.class, p -> p.topic().contains("type=lifecycle"));
        Action.Publish t1 = only(h.advance(Duration.ofSeconds(60)), Action.Publish.class);
        h.on(new Event.PublishAcknowledged(Link.HUB, boot.packetId()));
        assertThat(h.firmware.unacknowledged()).isEqualTo(1);
        h.on(new Event.ConnectionLost(Link.HUB, "gone"));
        h.advance(Duration.ofSeconds(1));
        h.recent();
        h.hubOnline();
        List<Action> resent = h.recent().stream().filter(Action.Publish.class::isInstance).toList();
        assertThat(resent).hasSize(1);
        Action.Publish again = (Action.Publish) resent.get(0);
        assertThat(again.topic()).isEqualTo(t1.topic());
        assertThat(again.payload()).isEqualTo(t1.payload());
        assertThat(again.packetId()).isNotEqualTo(t1.packetId());
        h.on(new Event.PublishAcknowledged(Link.HUB, again.packetId()));
        assertThat(h.firmware.unacknowledged()).isZero();
        assertThat(h.firmware.messagesAcknowledged()).isEqualTo(2);
    }

    @Test
    void eachReferenceMethod() throws Exception {
        h.bootOnline();
        h.recent();
        assertThat(call("setTelemetryInterval", "{\"intervalSeconds\":10}")).isEqualTo("200 {\"intervalSeconds\":10,\"previousIntervalSeconds\":60}");
        assertThat(h.flash.telemetryInterval()).isEqualTo(10);
        assertThat(h.advance(Duration.ofSeconds(10))).filteredOn(Action.Publish.class::isInstance).hasSize(1);

        assertThat(call("identify", "{\"durationSeconds\":3}")).isEqualTo("200 {\"blinkingForSeconds\":3}");
        assertThat(h.log).contains(new Action.SetLed(LedMode.BLINK, "blue", 500));
        assertThat(h.advance(Duration.ofSeconds(3))).contains(new Action.SetLed(LedMode.OFF, "blue", 0));

        String diagnostics = call("getDiagnostics", "null");
        assertThat(diagnostics).startsWith("200 ");
        JsonNode d = JSON.readTree(diagnostics.substring(4));
        assertThat(d.get("firmwareVersion").asText()).isEqualTo("1.4.2");
        assertThat(d.get("telemetryIntervalSeconds").asInt()).isEqualTo(10);
        assertThat(d.get("uptimeSeconds").asLong()).isEqualTo(16);

        assertThat(call("setTargetTemperature", "{\"value\":22}")).isEqualTo("200 {\"accepted\":true}");
        assertThat(call("selfDestruct", "{}")).startsWith("404 {\"error\":\"unknownMethod\"");
        assertThat(call("setTelemetryInterval", "{\"intervalSeconds\":0}"))
                .startsWith("400 {\"error\":\"invalidRequest\",\"message\":\"invalid JSON document at $.intervalSeconds: expected an integer from 1 to 86400");

        assertThat(call("factoryReset", "{\"confirm\":true}")).isEqualTo("200 {\"resettingInSeconds\":1}");
        assertThat(h.flash.assignedHub()).as("a factory reset forgets the hub").isEmpty();
        assertThat(h.flash.telemetryInterval()).isEqualTo(60);
        List<Action> reset = h.advance(Duration.ofSeconds(1));
        assertThat(only(reset, Action.Connect.class).link()).as("and provisions again").isEqualTo(Link.DPS);
        assertThat(h.flash.nextSeq()).as("sequence numbers never repeat, even after a factory reset").isEqualTo(2);
    }

    @Test
    void overridesChangeAnswersAtRunTime() {
        h.bootOnline();
        h.recent();
        h.overrides.set(MethodName.of("getDiagnostics"), MethodOverride.fixed(503, "{\"busy\":true}"));
        assertThat(call("getDiagnostics", "{}")).isEqualTo("503 {\"busy\":true}");

        h.overrides.set(MethodName.of("getDiagnostics"), MethodOverride.silent());
        h.message(Link.HUB, "$iothub/methods/POST/getDiagnostics/?$rid=s1", "{}");
        assertThat(h.recent()).filteredOn(Action.Publish.class::isInstance).isEmpty();

        h.overrides.set(MethodName.of("identify"), MethodOverride.delayed(Duration.ofSeconds(5)));
        h.message(Link.HUB, "$iothub/methods/POST/identify/?$rid=d1", "{}");
        assertThat(h.recent()).filteredOn(Action.Publish.class::isInstance).isEmpty();
        assertThat(h.advance(Duration.ofSeconds(4))).filteredOn(Action.Publish.class::isInstance).isEmpty();
        Action.Publish late = only(h.advance(Duration.ofSeconds(1)), Action.Publish.class, p -> p.topic().contains("$rid=d1"));
        assertThat(late.topic()).isEqualTo("$iothub/methods/res/200/?$rid=d1");
        h.recent();

        h.overrides.set(MethodName.of("reboot"), MethodOverride.failing(1.0));
        assertThat(call("reboot", "{}")).startsWith("500 {\"error\":\"internal\"");
        assertThat(h.timers).as("a failed reboot does not reboot").doesNotContainKey(Timer.REBOOT);

        h.overrides.clearAll();
        assertThat(call("getDiagnostics", "{}")).startsWith("200 ");
    }

    @Test
    void aColdBootSkipsTheSequenceNumbersFlashMayNotHaveSaved() {
        h.bootOnline();
        h.advance(Duration.ofSeconds(180)); // boot (0) and telemetry 1, 2, 3
        assertThat(h.flash.nextSeq()).as("flash is written every 100 messages, not each time").isEqualTo(1);
        h.on(new Event.Boot()); // power back on after it went off unannounced: flash may be 99 behind
        h.recent();
        h.hubOnline();
        Action.Publish boot = only(h.recent(), Action.Publish.class, p -> p.topic().contains("type=lifecycle"));
        assertThat(DeviceMessageCodec.CODEC.fromJson(boot.payload()).seq()).as("never a number already used").isEqualTo(100);
    }

    @Test
    void aRateChangeReschedulesTelemetryAtOnce() {
        h.bootOnline();
        h.recent();
        Action.Schedule next = only(h.on(new Event.RateChanged(10)), Action.Schedule.class);
        assertThat(next.timer()).isEqualTo(Timer.TELEMETRY);
        assertThat(next.delay()).as("the model's 60 s, ten times as often").isEqualTo(Duration.ofSeconds(6));
        assertThat(h.advance(Duration.ofSeconds(6))).filteredOn(Action.Publish.class::isInstance).hasSize(1);
        assertThat(h.advance(Duration.ofSeconds(6))).as("and stays so").filteredOn(Action.Publish.class::isInstance).hasSize(1);
    }

    @Test
    void aRateChangeWhileOfflineAppliesOnceOnline() {
        h.on(new Event.Boot());
        assertThat(h.on(new Event.RateChanged(2))).as("nothing to reschedule yet").isEmpty();
        h.provision();
        Action.Schedule telemetry = only(h.recent(), Action.Schedule.class, s -> s.timer() == Timer.TELEMETRY);
        assertThat(telemetry.delay()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aDevicesOwnOverrideComesBeforeTheSwarmsAndClearingItFallsBack() {
        MethodOverrides swarm = new MethodOverrides();
        MethodOverrides device = new MethodOverrides(swarm);
        MethodName m = MethodName.of("identify");
        assertThat(device.lookup(m)).isEqualTo(MethodOverride.NONE);
        swarm.set(m, MethodOverride.fixed(503, "{}"));
        assertThat(device.lookup(m).status()).hasValue(503);
        device.set(m, MethodOverride.silent());
        assertThat(device.lookup(m).noAnswer()).isTrue();
        assertThat(device.own()).containsOnlyKeys(m);
        assertThat(swarm.lookup(m).status()).as("the swarm's own is untouched").hasValue(503);
        device.clear(m);
        assertThat(device.lookup(m).status()).hasValue(503);
        assertThat(device.own()).isEmpty();
    }

    @Test
    void claimWithAButtonPressInTimeSendsASignedPresence() {
        h.bootOnline();
        h.recent();
        String nonce = "q3Vx7bT0ZkR1cL9mW2aYpQ";
        assertThat(call("startClaim", "{\"nonce\":\"" + nonce + "\",\"windowSeconds\":30}")).isEqualTo("200 {\"awaitingButtonForSeconds\":30}");
        assertThat(h.log).contains(new Action.SetLed(LedMode.BLINK, "green", 250));
        h.advance(Duration.ofSeconds(10));
        h.recent();
        List<Action> pressed = h.on(new Event.ButtonPressed());
        Action.Publish p = only(pressed, Action.Publish.class);
        assertThat(p.topic()).contains("type=presence");
        Presence presence = (Presence) DeviceMessageCodec.CODEC.fromJson(p.payload());
        assertThat(presence.nonce()).isEqualTo(nonce);
        assertThat(PresenceSignatures.verify(h.identity.credential().certificate(), h.identity.deviceId(), nonce, presence.signature())).isTrue();
        assertThat(pressed).contains(new Action.SetLed(LedMode.OFF, "green", 0));
        assertThat(h.on(new Event.ButtonPressed())).as("one press, one proof").isEmpty();
    }

    @Test
    void claimWithoutAPressInTimeExpires() {
        h.bootOnline();
        call("startClaim", "{\"nonce\":\"q3Vx7bT0ZkR1cL9mW2aYpQ\",\"windowSeconds\":10}");
        assertThat(h.advance(Duration.ofSeconds(10))).contains(new Action.SetLed(LedMode.OFF, "green", 0));
        assertThat(h.on(new Event.ButtonPressed())).isEmpty();
    }

    @Test
    void givesUpAfterTheConfiguredFailures() {
        FirmwareConfig c = FirmwareHarness.config();
        FirmwareHarness limited = new FirmwareHarness(new FirmwareConfig(c.registrationId(), c.dpsHost(), c.idScope(), c.model(),
                60, c.sameHubRetry(), c.backoffBase(), c.backoffMax(), 3, 1.0), 7);
        limited.on(new Event.Boot());
        for (int i = 0; i < 3; i++) {
            limited.on(new Event.ConnectFailed(Link.DPS, -1, "no route"));
            limited.advance(Duration.ofMinutes(2));
        }
        assertThat(limited.firmware.state()).isEqualTo(LifecycleState.GAVE_UP);
        assertThat(limited.advance(Duration.ofHours(1))).isEmpty();
    }

    @Test
    void theSameSeedAndEventsGiveTheSameRun() {
        FirmwareHarness a = new FirmwareHarness(FirmwareHarness.config(), 99);
        FirmwareHarness b = new FirmwareHarness(FirmwareHarness.config(), 99);
        for (FirmwareHarness x : List.of(a, b)) {
            x.bootOnline();
            x.on(new Event.ConnectionLost(Link.HUB, "x"));
            x.advance(Duration.ofMinutes(5));
        }
        assertThat(a.log.stream().map(FirmwareTest::describe).toList()).isEqualTo(b.log.stream().map(FirmwareTest::describe).toList());
    }

    static String describe(Action a) {
        if (a instanceof Action.Publish p) {
            // timestamps and signatures differ only with the clock and key; the topic and length are the shape
            return "publish " + p.topic() + " " + p.payload().length;
        }
        return a.toString();
    }

    /** Calls a method over the hub link; returns "status payload". */
    private String call(String method, String payload) {
        String rid = Long.toHexString(System.nanoTime());
        h.message(Link.HUB, "$iothub/methods/POST/" + method + "/?$rid=" + rid, payload);
        Action.Publish answer = only(h.recent(), Action.Publish.class, p -> p.topic().startsWith("$iothub/methods/res/"));
        String status = answer.topic().substring("$iothub/methods/res/".length(), answer.topic().indexOf("/?"));
        return status + " " + text(answer);
    }

    @Test
    void aPowerCycleKeepsTheFlashAndReconnectsToTheCachedHub() throws Exception {
        h.bootOnline();
        h.recent();
        List<Action> cycle = h.on(new Event.PowerCycle());
        assertThat(only(cycle, Action.Disconnect.class).link()).isEqualTo(Link.HUB);
        assertThat(cycle).contains(new Action.Cancel(Timer.TELEMETRY));
        assertThat(only(cycle, Action.Connect.class).link()).isEqualTo(Link.HUB);
        h.hubOnline();
        Action.Publish boot = only(h.recent(), Action.Publish.class, p -> p.topic().contains("type=lifecycle"));
        assertThat(((LifecycleEvent.Boot) ((Lifecycle) DeviceMessageCodec.CODEC.fromJson(boot.payload())).event()).resetReason())
                .isEqualTo(LifecycleEvent.ResetReason.POWER_ON);
        assertThat(h.timers).containsKey(Timer.TELEMETRY);
    }
}

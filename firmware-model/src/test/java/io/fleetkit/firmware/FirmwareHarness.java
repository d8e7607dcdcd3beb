package io.fleetkit.firmware;

import io.fleetkit.firmware.Action.Link;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Drives a {@link Firmware} with a fake clock: keeps its timers, fires them as time advances,
 * and records every action, so a test reads like the device's log. No threads, no sleeps.
 */
final class FirmwareHarness {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final Credential CA = ISSUER.createIntermediate(ISSUER.createRoot("root"), "intermediate");

    final DeviceIdentity identity;
    final MethodOverrides overrides = new MethodOverrides();
    final Firmware firmware;
    final List<Action> log = new ArrayList<>();
    final Map<Timer, Instant> timers = new EnumMap<>(Timer.class);
    NonVolatileState flash;
    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    private int cursor;

    FirmwareHarness(FirmwareConfig config, long seed) {
        identity = ISSUER.issueDevice(CA, config.registrationId(), KeyAlgorithm.EC_P256);
        flash = NonVolatileState.factory((int) config.model().telemetryInterval().toSeconds());
        firmware = new Firmware(config, new SimulatedHardware(config.model(), identity.credential().key(), new SplittableRandom(seed)),
                flash, overrides, new SplittableRandom(seed));
    }

    FirmwareHarness() {
        this(config(), 42);
    }

    static FirmwareConfig config() {
        return FirmwareConfig.of(RegistrationId.of("dev-001"), "global.example", IdScope.DEFAULT, DeviceModels.builtIn("thermostat"));
    }

    List<Action> on(Event e) {
        List<Action> actions = firmware.handle(e, now);
        for (Action a : actions) {
            if (a instanceof Action.Schedule s) {
                timers.put(s.timer(), now.plus(s.delay()));
            } else if (a instanceof Action.Cancel c) {
                timers.remove(c.timer());
            } else if (a instanceof Action.Persist p) {
                flash = p.state();
            }
        }
        log.addAll(actions);
        return actions;
    }

    /** Moves the clock forward, firing due timers in time order. */
    List<Action> advance(Duration d) {
        Instant until = now.plus(d);
        List<Action> out = new ArrayList<>();
        while (true) {
            var next = timers.entrySet().stream().filter(e -> !e.getValue().isAfter(until))
                    .min(Map.Entry.comparingByValue()).orElse(null);
            if (next == null) {
                break;
            }
            Timer timer = next.getKey();
            now = next.getValue(); // read before removing: EnumMap entries are views
            timers.remove(timer);
            out.addAll(on(new Event.TimerFired(timer)));
        }
        now = until;
        return out;
    }

    /** Actions since the last call. */
    List<Action> recent() {
        List<Action> r = new ArrayList<>(log.subList(cursor, log.size()));
        cursor = log.size();
        return r;
    }

    @SuppressWarnings("unchecked")
    static <T extends Action> T only(List<Action> actions, Class<T> type, Predicate<T> match) {
        List<T> found = actions.stream().filter(type::isInstance).map(a -> (T) a).filter(match).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " matching, found " + found.size() + " in " + actions);
        }
        return found.get(0);
    }

    static <T extends Action> T only(List<Action> actions, Class<T> type) {
        return only(actions, type, a -> true);
    }

    static String text(Action.Publish p) {
        return new String(p.payload(), StandardCharsets.UTF_8);
    }

    void message(Link link, String topic, String payload) {
        on(new Event.MessageReceived(link, topic, payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** Boot to ONLINE through DPS (202, then 200 assigned to 127.0.0.1). */
    void bootOnline() {
        on(new Event.Boot());
        provision();
    }

    void provision() {
        on(new Event.Connected(Link.DPS));
        Action.Subscribe sub = only(recent(), Action.Subscribe.class);
        on(new Event.SubscribeAcknowledged(Link.DPS, sub.packetId(), new int[]{0}));
        Action.Publish register = only(recent(), Action.Publish.class);
        String rid = register.topic().substring(register.topic().indexOf("$rid=") + 5);
        message(Link.DPS, "$dps/registrations/res/202/?$rid=" + rid + "&retry-after=3",
                "{\"operationId\":\"4.op\",\"status\":\"assigning\"}");
        advance(Duration.ofSeconds(3));
        Action.Publish poll = only(recent(), Action.Publish.class);
        String prid = poll.topic().substring(poll.topic().indexOf("$rid=") + 5, poll.topic().indexOf("&"));
        message(Link.DPS, "$dps/registrations/res/200/?$rid=" + prid, "{\"operationId\":\"4.op\",\"status\":\"assigned\","
                + "\"registrationState\":{\"registrationId\":\"dev-001\",\"assignedHub\":\"127.0.0.1\",\"deviceId\":\"dev-001\","
                + "\"status\":\"assigned\",\"substatus\":\"initialAssignment\"}}");
        hubOnline();
    }

    void hubOnline() {
        on(new Event.Connected(Link.HUB));
        Action.Subscribe sub = only(recent(), Action.Subscribe.class);
        on(new Event.SubscribeAcknowledged(Link.HUB, sub.packetId(), new int[]{0, 1}));
    }
}

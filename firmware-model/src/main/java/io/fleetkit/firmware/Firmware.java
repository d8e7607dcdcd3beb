package io.fleetkit.firmware;

import io.fleetkit.firmware.Action.Link;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.DeviceMessageTopics;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;
import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.testport.TestPortMessage.LedMode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * The device firmware, sans-IO: a deterministic state machine that takes {@link Event}s and
 * returns {@link Action}s. It owns no socket, thread or clock: time comes with each event and
 * randomness (backoff jitter, method error rates) from the injected generator, so a run with the
 * same seed and events is the same run, and tests need no sleeps.
 *
 * <p>Lifecycle: boot → provisioning through DPS (register, poll honouring retry-after, 429 with
 * exponential backoff and jitter), the assignment cached in non-volatile state so a reboot goes
 * straight to the hub → connecting → online (subscribe to methods and cloud-to-device, a
 * lifecycle boot message, telemetry on the model's interval with increasing sequence numbers,
 * QoS 1 with un-acknowledged messages sent again after a reconnect) → on losing the hub, retry
 * the same hub for {@link FirmwareConfig#sameHubRetry()}, then provision again. A reboot keeps
 * what is in flash ({@link NonVolatileState}) and loses what is in RAM, un-acknowledged messages included.
 *
 * <p>Not thread-safe: one caller at a time (the device's event loop or test).
 */
public final class Firmware {
    static final String FIRMWARE_CLIENT = "fleetkit-firmware/1.0";
    private static final long SEQ_SAVE_EVERY = 100;

    private FirmwareConfig config; // replaced only by a rate change
    private final Hardware hardware;
    private final RandomGenerator random;
    private final MethodOverrides overrides;
    private final MethodResponder responder;
    private final DeviceId deviceId;

    private NonVolatileState nv;
    private LifecycleState state = LifecycleState.OFF;
    private Link link;
    private int failures;
    private Instant hubLostAt;
    private Instant bootedAt;
    private ResetReason resetReason = ResetReason.POWER_ON;
    private boolean bootAnnounced;
    private int subscribePacketId;
    // DPS exchange
    private DpsRegistration registration;
    private final Outbox outbox = new Outbox();
    // the claim window
    private String claimNonce;
    // delayed method answers, earliest first
    private final PriorityQueue<DelayedReply> replies = new PriorityQueue<>();

    private record DelayedReply(Instant due, Action.Publish publish) implements Comparable<DelayedReply> {
        @Override
        public int compareTo(DelayedReply o) {
            return due.compareTo(o.due);
        }
    }

    public Firmware(FirmwareConfig config, Hardware hardware, NonVolatileState stored, MethodOverrides overrides, RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.hardware = Objects.requireNonNull(hardware, "hardware");
        this.nv = Objects.requireNonNull(stored, "stored");
        this.overrides = Objects.requireNonNull(overrides, "overrides");
        this.random = Objects.requireNonNull(random, "random");
        this.responder = new MethodResponder(config.model());
        this.deviceId = config.registrationId().toDeviceId();
    }

    public LifecycleState state() {
        return state;
    }

    public FirmwareConfig config() {
        return config;
    }

    public NonVolatileState nonVolatileState() {
        return nv;
    }

    public DeviceId deviceId() {
        return deviceId;
    }

    /** QoS 1 messages sent and not yet acknowledged. */
    public int unacknowledged() {
        return outbox.size();
    }

    public long messagesSent() {
        return outbox.sent();
    }

    public long messagesAcknowledged() {
        return outbox.acknowledgedCount();
    }

    /** Telemetry messages the hub acknowledged (each is a row the backend must store). */
    public long telemetryAcknowledged() {
        return outbox.telemetryAcknowledged();
    }

    /** Handles one event at {@code now}; returns what to do, in order. */
    public List<Action> handle(Event event, Instant now) {
        List<Action> out = new ArrayList<>(4);
        if (state == LifecycleState.GAVE_UP && !(event instanceof Event.Boot)) {
            return out;
        }
        if (event instanceof Event.Boot) {
            // power on after an unknown end: flash holds the sequence as saved up to 99 messages ago, so skip the block
            nv = nv.withNextSeq((nv.nextSeq() + SEQ_SAVE_EVERY - 1) / SEQ_SAVE_EVERY * SEQ_SAVE_EVERY);
            boot(now, out);
        } else if (event instanceof Event.TimerFired t) {
            timer(t.timer(), now, out);
        } else if (event instanceof Event.Connected c && c.link() == link) {
            connected(out);
        } else if (event instanceof Event.ConnectFailed f && f.link() == link) {
            lost(now, out);
        } else if (event instanceof Event.ConnectionLost l && l.link() == link) {
            lost(now, out);
        } else if (event instanceof Event.SubscribeAcknowledged s && s.link() == link && s.packetId() == subscribePacketId) {
            subscribed(now, out);
        } else if (event instanceof Event.PublishAcknowledged a && a.link() == Link.HUB && link == Link.HUB) {
            outbox.acknowledged(a.packetId());
        } else if (event instanceof Event.MessageReceived m && m.link() == link) {
            received(m, now, out);
        } else if (event instanceof Event.ButtonPressed) {
            button(now, out);
        } else if (event instanceof Event.RateChanged r) {
            config = config.withRateMultiplier(r.rateMultiplier());
            if (state == LifecycleState.ONLINE) { // at once: waiting out a 1× interval would hide the change
                out.add(new Action.Schedule(Timer.TELEMETRY, config.telemetryPeriod(nv.telemetryInterval())));
            }
        } else if (event instanceof Event.PowerCycle) {
            resetReason = ResetReason.POWER_ON;
            restart(now, out);
        }
        return out;
    }

    // --- boot and connections ---

    private void boot(Instant now, List<Action> out) {
        bootedAt = now;
        bootAnnounced = false;
        failures = 0;
        hubLostAt = null;
        claimNonce = null;
        replies.clear();
        outbox.clear(); // RAM does not survive a reboot
        if (nv.assignedHub().isPresent()) {
            connectHub(out);
        } else {
            connectDps(out);
        }
    }

    private void connectDps(List<Action> out) {
        state = LifecycleState.PROVISIONING;
        link = Link.DPS;
        registration = new DpsRegistration(config.registrationId());
        out.add(new Action.Connect(Link.DPS, config.dpsHost(), config.registrationId().value(),
                DpsUsername.of(config.idScope(), config.registrationId()).format(), config.keepAliveSeconds()));
    }

    private void connectHub(List<Action> out) {
        state = LifecycleState.CONNECTING;
        link = Link.HUB;
        String hub = nv.assignedHub().orElseThrow();
        out.add(new Action.Connect(Link.HUB, hub, deviceId.value(),
                HubUsername.of(HubHostName.of(hub), deviceId, FIRMWARE_CLIENT).format(), config.keepAliveSeconds()));
    }

    private void connected(List<Action> out) {
        subscribePacketId = outbox.packetId();
        if (link == Link.DPS) {
            out.add(new Action.Subscribe(Link.DPS, subscribePacketId, List.of(TopicFilter.Fixed.DPS_RESPONSES.format())));
        } else {
            out.add(new Action.Subscribe(Link.HUB, subscribePacketId, List.of(TopicFilter.Fixed.METHOD_REQUESTS.format(),
                    new TopicFilter.Devicebound(deviceId).format())));
        }
    }

    private void subscribed(Instant now, List<Action> out) {
        if (link == Link.DPS) {
            register(out);
            return;
        }
        state = LifecycleState.ONLINE;
        failures = 0;
        hubLostAt = null;
        // what the hub never acknowledged goes again first, in order, on the new connection's packet ids
        out.addAll(outbox.resendAll());
        if (!bootAnnounced) {
            bootAnnounced = true;
            var model = config.model();
            send(new Lifecycle(nextSeq(out), now, new LifecycleEvent.Boot(model.firmwareVersion(), model.id(), resetReason)), out);
        }
        out.add(new Action.Schedule(Timer.TELEMETRY, config.telemetryPeriod(nv.telemetryInterval())));
    }

    /** A connection failed or was lost: back off, then retry the same service (the hub only for a while). */
    private void lost(Instant now, List<Action> out) {
        out.add(new Action.Cancel(Timer.TELEMETRY));
        if (link == Link.HUB && hubLostAt == null) {
            hubLostAt = now;
        }
        failures++;
        if (config.maxFailures() > 0 && failures >= config.maxFailures()) {
            state = LifecycleState.GAVE_UP;
            link = null;
            return;
        }
        state = LifecycleState.BACKOFF;
        out.add(new Action.Schedule(Timer.RECONNECT, backoff()));
    }

    private void reconnect(Instant now, List<Action> out) {
        boolean hubKnown = nv.assignedHub().isPresent();
        if (hubKnown && hubLostAt != null && Duration.between(hubLostAt, now).compareTo(config.sameHubRetry()) > 0) {
            // the hub has been gone too long: ask DPS again, it may assign another
            nv = nv.withoutHub();
            out.add(new Action.Persist(nv));
            hubLostAt = null;
            hubKnown = false;
        }
        if (hubKnown) {
            connectHub(out);
        } else {
            connectDps(out);
        }
    }

    /** Exponential backoff with equal jitter: half the step fixed, half random. */
    private Duration backoff() {
        long base = config.backoffBase().toMillis();
        long step = Math.min(config.backoffMax().toMillis(), base << Math.min(20, Math.max(0, failures - 1)));
        return Duration.ofMillis(step / 2 + random.nextLong(step / 2 + 1));
    }

    // --- DPS ---

    /** The registration's next request: a register until DPS names the operation, then a poll of it. */
    private void register(List<Action> out) {
        DpsRegistration.Request r = registration.next();
        out.add(new Action.Publish(Link.DPS, r.topic(), r.body(), 0, 0));
    }

    private void dpsAnswer(DpsResponseTopic t, byte[] payload, List<Action> out, Instant now) {
        DpsRegistration.Outcome outcome = registration.answer(t, payload);
        if (outcome instanceof DpsRegistration.Outcome.Throttled throttled) {
            failures++;
            out.add(new Action.Schedule(registration.hasOperation() ? Timer.POLL : Timer.REGISTER, max(throttled.retryAfter(), backoff())));
        } else if (outcome instanceof DpsRegistration.Outcome.Pending pending) {
            out.add(new Action.Schedule(Timer.POLL, pending.retryAfter()));
        } else if (outcome instanceof DpsRegistration.Outcome.Assigned assigned) {
            nv = nv.withHub(assigned.hub());
            out.add(new Action.Persist(nv));
            out.add(new Action.Disconnect(Link.DPS));
            failures = 0;
            connectHub(out);
        } else if (outcome instanceof DpsRegistration.Outcome.Refused) {
            // refused (401, 403, 404, 400…) or not understood: start over after backoff
            out.add(new Action.Disconnect(Link.DPS));
            lost(now, out);
        } // Stale: an answer to an earlier request
    }

    // --- hub ---

    private void received(Event.MessageReceived m, Instant now, List<Action> out) {
        Topic topic;
        try {
            topic = Topic.parse(m.topic());
        } catch (ProtocolException e) {
            return; // not for this firmware
        }
        if (topic instanceof DpsResponseTopic d && link == Link.DPS) {
            dpsAnswer(d, m.payload(), out, now);
        } else if (topic instanceof MethodRequestTopic r && link == Link.HUB) {
            method(r, m.payload(), now, out);
        }
        // cloud-to-device messages are accepted and ignored by the reference firmware
    }

    private void method(MethodRequestTopic r, byte[] payload, Instant now, List<Action> out) {
        MethodOverride o = overrides.lookup(r.methodName());
        if (o.noAnswer()) {
            return;
        }
        MethodResponder.Outcome outcome = responder.answer(r.methodName(), payload, nv.telemetryInterval(), diagnostics(now));
        int status = o.status().orElse(outcome.status());
        byte[] body = o.payload().map(p -> p.getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElse(outcome.payload());
        if (o.errorRate() > 0 && random.nextDouble() < o.errorRate()) {
            MethodResponder.Outcome e = MethodResponder.error(io.fleetkit.protocol.method.MethodError.Code.INTERNAL, "injected error");
            status = e.status();
            body = e.payload();
        }
        Action.Publish reply = new Action.Publish(Link.HUB, new MethodResponseTopic(status, r.requestId()).format(), body, 0, 0);
        if (o.delay().isZero()) {
            out.add(reply);
        } else {
            replies.add(new DelayedReply(now.plus(o.delay()), reply));
            out.add(new Action.Schedule(Timer.METHOD_REPLY, Duration.between(now, replies.peek().due())));
        }
        if (status == 200 && o.status().isEmpty()) {
            effect(outcome.effect(), out);
        }
    }

    private void effect(MethodResponder.Effect effect, List<Action> out) {
        if (effect instanceof MethodResponder.Effect.Reboot r) {
            out.add(new Action.Schedule(Timer.REBOOT, r.delay()));
        } else if (effect instanceof MethodResponder.Effect.FactoryReset f) {
            nv = NonVolatileState.factory((int) config.model().telemetryInterval().toSeconds()).withNextSeq(nv.nextSeq());
            out.add(new Action.Persist(nv));
            resetReason = ResetReason.FACTORY_RESET;
            out.add(new Action.Schedule(Timer.REBOOT, f.delay()));
        } else if (effect instanceof MethodResponder.Effect.SetTelemetryInterval s) {
            nv = nv.withInterval(s.seconds());
            out.add(new Action.Persist(nv));
            out.add(new Action.Schedule(Timer.TELEMETRY, config.telemetryPeriod(s.seconds())));
        } else if (effect instanceof MethodResponder.Effect.Identify i) {
            out.add(new Action.SetLed(LedMode.BLINK, "blue", 500));
            out.add(new Action.Schedule(Timer.IDENTIFY_END, i.duration()));
        } else if (effect instanceof MethodResponder.Effect.StartClaim c) {
            claimNonce = c.nonce();
            out.add(new Action.SetLed(LedMode.BLINK, "green", 250));
            out.add(new Action.Schedule(Timer.CLAIM_END, c.window()));
        }
    }

    private void button(Instant now, List<Action> out) {
        if (claimNonce == null || state != LifecycleState.ONLINE) {
            return;
        }
        byte[] signature = hardware.signPresence(deviceId, claimNonce);
        send(new Presence(nextSeq(out), now, claimNonce, signature), out);
        claimNonce = null;
        out.add(new Action.Cancel(Timer.CLAIM_END));
        out.add(new Action.SetLed(LedMode.OFF, "green", 0));
    }

    private void timer(Timer t, Instant now, List<Action> out) {
        switch (t) {
            case RECONNECT -> {
                if (state == LifecycleState.BACKOFF) {
                    reconnect(now, out);
                }
            }
            case REGISTER -> {
                if (link == Link.DPS) {
                    register(out);
                }
            }
            case POLL -> {
                if (link == Link.DPS && registration.hasOperation()) {
                    register(out);
                }
            }
            case TELEMETRY -> {
                if (state == LifecycleState.ONLINE) {
                    send(new Telemetry(nextSeq(out), now, hardware.readSensors(now)), out);
                    out.add(new Action.Schedule(Timer.TELEMETRY, config.telemetryPeriod(nv.telemetryInterval())));
                }
            }
            case REBOOT -> {
                if (resetReason != ResetReason.FACTORY_RESET) {
                    resetReason = ResetReason.SOFTWARE;
                }
                restart(now, out);
            }
            case IDENTIFY_END -> out.add(new Action.SetLed(LedMode.OFF, "blue", 0));
            case CLAIM_END -> {
                if (claimNonce != null) {
                    claimNonce = null;
                    out.add(new Action.SetLed(LedMode.OFF, "green", 0));
                }
            }
            case METHOD_REPLY -> {
                while (!replies.isEmpty() && !replies.peek().due().isAfter(now)) {
                    Action.Publish p = replies.poll().publish();
                    if (link == Link.HUB && state == LifecycleState.ONLINE) {
                        out.add(p);
                    }
                }
                if (!replies.isEmpty()) {
                    out.add(new Action.Schedule(Timer.METHOD_REPLY, Duration.between(now, replies.peek().due())));
                }
            }
        }
    }

    /** Drops the connections and timers, keeps the flash, boots again. */
    private void restart(Instant now, List<Action> out) {
        if (link != null) {
            out.add(new Action.Disconnect(link));
        }
        for (Timer t : Timer.values()) {
            out.add(new Action.Cancel(t));
        }
        out.add(new Action.Persist(nv));
        state = LifecycleState.REBOOTING;
        link = null;
        boot(now, out);
    }

    // --- sending ---

    private void send(DeviceMessage m, List<Action> out) {
        out.add(outbox.publish(DeviceMessageTopics.topicFor(deviceId, m).format(), DeviceMessageCodec.CODEC.toJson(m),
                m instanceof io.fleetkit.protocol.message.Telemetry));
    }

    private long nextSeq(List<Action> out) {
        long seq = nv.nextSeq();
        nv = nv.withNextSeq(seq + 1);
        if (seq % SEQ_SAVE_EVERY == 0) {
            out.add(new Action.Persist(nv)); // flash wears out: the sequence is saved every 100 messages and at reboot
        }
        return seq;
    }

    private MethodResponder.Diagnostics diagnostics(Instant now) {
        return new MethodResponder.Diagnostics(config.model().firmwareVersion(), config.model().id(),
                bootedAt == null ? 0 : Duration.between(bootedAt, now).toSeconds(), hardware.freeHeapBytes(), hardware.rssiDbm(),
                resetReason, nv.telemetryInterval(), outbox.sent());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

package io.fleetkit.backend.hub;

import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.DeviceId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cloud-to-device messages, at least once, as IoT Hub keeps them
 * (<a href="https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-messages-c2d">Cloud-to-device messages</a>): a
 * queue per device of at most 50 messages of at most 64 KB each. A message is <em>enqueued</em> until delivered, then
 * <em>invisible</em> (locked) until the device completes it (over MQTT: its PUBACK); a lock that times out (one minute on
 * IoT Hub, where it cannot be changed), or a connection that drops first, makes it deliverable again, and each delivery
 * counts. Past the maximum delivery count (IoT Hub's default: 10) a message is dead-lettered, and a message whose time to
 * live (default one hour, at most two days) has passed is never delivered; both are dropped and counted. Thread-safe:
 * each device's queue is guarded by itself.
 */
public final class CloudToDeviceQueue {
    /** IoT Hub's queue depth per device. */
    public static final int MAX_QUEUED = 50;
    /** IoT Hub's largest cloud-to-device message. */
    public static final int MAX_BYTES = 64 * 1024;
    public static final Duration MAX_TTL = Duration.ofDays(2);

    /**
     * @param lockTimeout      how long a delivered message waits for its completion before it is delivered again
     * @param maxDeliveryCount deliveries after which an uncompleted message is dead-lettered
     * @param defaultTtl       how long a message lives when its sender does not say
     */
    public record Options(Duration lockTimeout, int maxDeliveryCount, Duration defaultTtl) {
        public Options {
            Objects.requireNonNull(lockTimeout, "lockTimeout");
            Objects.requireNonNull(defaultTtl, "defaultTtl");
            if (lockTimeout.isNegative() || lockTimeout.isZero()) {
                throw new IllegalArgumentException("lockTimeout: must be positive, was " + lockTimeout);
            }
            if (maxDeliveryCount < 1 || maxDeliveryCount > 100) {
                throw new IllegalArgumentException("maxDeliveryCount: 1–100 (as IoT Hub), was " + maxDeliveryCount);
            }
            if (defaultTtl.isNegative() || defaultTtl.isZero() || defaultTtl.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("defaultTtl: positive, at most " + MAX_TTL + ", was " + defaultTtl);
            }
        }

        /** IoT Hub's: a one-minute lock, 10 deliveries, one hour to live. */
        public static Options iotHub() {
            return new Options(Duration.ofMinutes(1), 10, Duration.ofHours(1));
        }
    }

    /**
     * A message to deliver: its id (the {@code $.mid} the device sees), where it goes (for MQTT the devicebound topic with
     * its property bag, formatted once when it was sent), the body, its delivery number and until when it is locked.
     */
    public record Delivery(String messageId, String topic, byte[] body, int deliveryCount, Instant lockedUntil) {
    }

    /** The queue is full: IoT Hub refuses the send (403004, DeviceMaximumQueueDepthExceeded). */
    public static final class QueueFullException extends FleetkitException {
        private static final long serialVersionUID = 1L;

        QueueFullException(DeviceId device) {
            super(Kind.THROTTLED, "the cloud-to-device queue of " + device + " holds " + MAX_QUEUED + " messages already (DeviceMaximumQueueDepthExceeded)");
        }
    }

    private static final class Entry {
        final String messageId;
        final String topic;
        final byte[] body;
        final Instant expires;
        int deliveries;
        Instant lockedUntil; // null: enqueued
        Object lockedBy; // the connection it was delivered on

        Entry(String messageId, String topic, byte[] body, Instant expires) {
            this.messageId = messageId;
            this.topic = topic;
            this.body = body;
            this.expires = expires;
        }
    }

    private final Options options;
    private final Clock clock;
    private final Map<DeviceId, LinkedHashMap<String, Entry>> queues = new ConcurrentHashMap<>();
    private final LongAdder completed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();

    public CloudToDeviceQueue(Options options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Options options() {
        return options;
    }

    /**
     * Queues a message for {@code device}.
     *
     * @param ttl how long it may wait for delivery, or null for the default
     * @throws QueueFullException when the device already has {@link #MAX_QUEUED} messages (expired ones are dropped first)
     * @throws IllegalArgumentException when the body is over {@link #MAX_BYTES} or the TTL out of range
     */
    public void enqueue(DeviceId device, String messageId, String topic, byte[] body, Duration ttl) {
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException("body: at most " + MAX_BYTES + " bytes (IoT Hub's limit), was " + body.length);
        }
        Duration live = ttl == null ? options.defaultTtl() : ttl;
        if (live.isNegative() || live.isZero() || live.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl: positive, at most " + MAX_TTL + ", was " + live);
        }
        Entry e = new Entry(messageId, topic, body.clone(), clock.instant().plus(live));
        LinkedHashMap<String, Entry> q = queues.computeIfAbsent(device, k -> new LinkedHashMap<>());
        synchronized (q) {
            dropExpired(q, clock.instant());
            if (q.size() >= MAX_QUEUED) {
                throw new QueueFullException(device);
            }
            q.put(messageId, e);
        }
    }

    /**
     * Locks and returns every message of {@code device} that may be delivered now (enqueued, or locked past its timeout),
     * oldest first, counting the delivery; drops expired ones and dead-letters those delivered too often.
     *
     * @param connection what delivers them (its connection), so that {@link #unlock} frees only what it was given
     */
    public List<Delivery> takeDeliverable(DeviceId device, Object connection) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return List.of();
        }
        List<Delivery> out = new ArrayList<>();
        Instant now = clock.instant();
        synchronized (q) {
            dropExpired(q, now);
            for (Iterator<Entry> it = q.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.lockedUntil != null && e.lockedUntil.isAfter(now)) {
                    continue;
                }
                if (e.deliveries >= options.maxDeliveryCount()) {
                    it.remove();
                    deadLettered.increment();
                    continue;
                }
                e.deliveries++;
                e.lockedUntil = now.plus(options.lockTimeout());
                e.lockedBy = connection;
                out.add(new Delivery(e.messageId, e.topic, e.body, e.deliveries, e.lockedUntil));
            }
        }
        return out;
    }

    /** The device completed a message (PUBACK): it is gone for good. False when it was not there (completed before, expired). */
    public boolean complete(DeviceId device, String messageId) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return false;
        }
        synchronized (q) {
            boolean done = q.remove(messageId) != null;
            if (done) {
                completed.increment();
            }
            return done;
        }
    }

    /**
     * A connection of the device ended: what was delivered on it and not completed may be delivered again at once (on the
     * device's next connection, or a newer one already there); what a newer connection holds stays locked.
     */
    public void unlock(DeviceId device, Object connection) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return;
        }
        synchronized (q) {
            q.values().stream().filter(e -> e.lockedBy == connection).forEach(e -> {
                e.lockedUntil = null;
                e.lockedBy = null;
            });
        }
    }

    /** How long until the earliest lock of {@code device} runs out (by this queue's clock), if any message is locked. */
    public Optional<Duration> untilNextLockExpiry(DeviceId device) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        synchronized (q) {
            return q.values().stream().map(e -> e.lockedUntil).filter(Objects::nonNull).min(Instant::compareTo)
                    .map(at -> at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        }
    }

    /** Messages waiting for {@code device}, delivered or not. */
    public int depth(DeviceId device) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.size();
        }
    }

    public long completed() {
        return completed.sum();
    }

    public long expired() {
        return expired.sum();
    }

    public long deadLettered() {
        return deadLettered.sum();
    }

    private void dropExpired(LinkedHashMap<String, Entry> q, Instant now) {
        for (Iterator<Entry> it = q.values().iterator(); it.hasNext(); ) {
            if (!it.next().expires.isAfter(now)) {
                it.remove();
                expired.increment();
            }
        }
    }
}

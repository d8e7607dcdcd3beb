package io.fleetkit.backend.hub;

import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.DeviceId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cloud-to-device messages, at least once, as IoT Hub keeps them
 * (<a href="https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-messages-c2d">Cloud-to-device messages</a>): a
 * queue per device of at most 50 messages of at most 64 KB each. A message is <em>enqueued</em> until delivered, then
 * <em>invisible</em> (locked) until the device completes it (over MQTT: its PUBACK); a lock that times out (one minute on
 * IoT Hub, where it cannot be changed), or a connection that drops first, makes it deliverable again, and each delivery
 * counts. Past the maximum delivery count (IoT Hub's default: 10) a message is dead-lettered, and a message whose time to
 * live (default one hour, at most two days) has passed is never delivered; both are dropped and counted.
 *
 * <p>In memory for one hub process ({@link #inMemory}); in the store for a cluster ({@code store.StoreCloudToDeviceQueue}),
 * where a message sent through any node or the backend waits for the device wherever it connects. Thread-safe. The counters
 * ({@link #completed()} …) count what happened through this process.
 */
public interface CloudToDeviceQueue {
    /** IoT Hub's queue depth per device. */
    int MAX_QUEUED = 50;
    /** IoT Hub's largest cloud-to-device message. */
    int MAX_BYTES = 64 * 1024;
    Duration MAX_TTL = Duration.ofDays(2);

    /** Queues in this process's memory. */
    static CloudToDeviceQueue inMemory(Options options, Clock clock) {
        return new InMemoryCloudToDeviceQueue(options, clock);
    }

    /**
     * @param lockTimeout      how long a delivered message waits for its completion before it is delivered again
     * @param maxDeliveryCount deliveries after which an uncompleted message is dead-lettered
     * @param defaultTtl       how long a message lives when its sender does not say
     */
    record Options(Duration lockTimeout, int maxDeliveryCount, Duration defaultTtl) {
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

        /** The time to live of a message: {@code ttl}, or the default when null; checked against IoT Hub's range. */
        public Duration timeToLive(Duration ttl) {
            Duration live = ttl == null ? defaultTtl : ttl;
            if (live.isNegative() || live.isZero() || live.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("ttl: positive, at most " + MAX_TTL + ", was " + live);
            }
            return live;
        }
    }

    /**
     * A message to deliver: its id (the {@code $.mid} the device sees), where it goes (for MQTT the devicebound topic with
     * its property bag, formatted once when it was sent), the body, its delivery number and until when it is locked.
     */
    record Delivery(String messageId, String topic, byte[] body, int deliveryCount, Instant lockedUntil) {
    }

    /** The queue is full: IoT Hub refuses the send (403004, DeviceMaximumQueueDepthExceeded). */
    final class QueueFullException extends FleetkitException {
        private static final long serialVersionUID = 1L;

        public QueueFullException(DeviceId device) {
            super(Kind.THROTTLED, "the cloud-to-device queue of " + device + " holds " + MAX_QUEUED + " messages already (DeviceMaximumQueueDepthExceeded)");
        }
    }

    Options options();

    /** Whether its calls block (a database): the gateway then makes them off its event loops. */
    default boolean isBlocking() {
        return false;
    }

    /**
     * Queues a message for {@code device}.
     *
     * @param ttl how long it may wait for delivery, or null for the default
     * @throws QueueFullException when the device already has {@link #MAX_QUEUED} messages (expired ones are dropped first)
     * @throws IllegalArgumentException when the body is over {@link #MAX_BYTES} or the TTL out of range
     */
    void enqueue(DeviceId device, String messageId, String topic, byte[] body, Duration ttl);

    /**
     * Locks and returns every message of {@code device} that may be delivered now (enqueued, or locked past its timeout),
     * oldest first, counting the delivery; drops expired ones and dead-letters those delivered too often.
     *
     * @param connection the id of the connection that delivers them, so that {@link #unlock} frees only what it was given
     */
    List<Delivery> takeDeliverable(DeviceId device, String connection);

    /** The device completed a message (PUBACK): it is gone for good. False when it was not there (completed before, expired). */
    boolean complete(DeviceId device, String messageId);

    /**
     * A connection of the device ended: what was delivered on it and not completed may be delivered again at once (on the
     * device's next connection, or a newer one already there); what a newer connection holds stays locked.
     */
    void unlock(DeviceId device, String connection);

    /** How long until the earliest lock of {@code device} runs out (by this queue's clock), if any message is locked. */
    Optional<Duration> untilNextLockExpiry(DeviceId device);

    /** Messages waiting for {@code device}, delivered or not. */
    int depth(DeviceId device);

    /** Drops every message waiting for {@code device} (it was removed from the registry); returns how many. */
    int purge(DeviceId device);

    long completed();

    long expired();

    long deadLettered();

    /** Checks a message before it is queued: its size, and its time to live (returned, the default when null). */
    static Duration check(Options options, byte[] body, Duration ttl) {
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException("body: at most " + MAX_BYTES + " bytes (IoT Hub's limit), was " + body.length);
        }
        return options.timeToLive(ttl);
    }
}

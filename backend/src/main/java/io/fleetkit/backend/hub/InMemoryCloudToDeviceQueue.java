package io.fleetkit.backend.hub;

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

/** The cloud-to-device queues in this process's memory (one hub process). Thread-safe: each device's queue is guarded by itself. */
final class InMemoryCloudToDeviceQueue implements CloudToDeviceQueue {
    private static final class Entry {
        final String messageId;
        final String topic;
        final byte[] body;
        final Instant expires;
        int deliveries;
        Instant lockedUntil; // null: enqueued
        String lockedBy; // the connection it was delivered on

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

    InMemoryCloudToDeviceQueue(Options options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public void enqueue(DeviceId device, String messageId, String topic, byte[] body, Duration ttl) {
        Duration live = CloudToDeviceQueue.check(options, body, ttl);
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

    @Override
    public List<Delivery> takeDeliverable(DeviceId device, String connection) {
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

    @Override
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

    @Override
    public void unlock(DeviceId device, String connection) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return;
        }
        synchronized (q) {
            q.values().stream().filter(e -> connection.equals(e.lockedBy)).forEach(e -> {
                e.lockedUntil = null;
                e.lockedBy = null;
            });
        }
    }

    @Override
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

    @Override
    public int depth(DeviceId device) {
        LinkedHashMap<String, Entry> q = queues.get(device);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.size();
        }
    }

    @Override
    public int purge(DeviceId device) {
        LinkedHashMap<String, Entry> q = queues.remove(device);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.size();
        }
    }

    @Override
    public long completed() {
        return completed.sum();
    }

    @Override
    public long expired() {
        return expired.sum();
    }

    @Override
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

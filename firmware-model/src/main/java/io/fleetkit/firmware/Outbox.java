package io.fleetkit.firmware;

import io.fleetkit.firmware.Action.Link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QoS 1 messages the hub has not acknowledged yet, the MQTT packet ids, and the counts of
 * messages sent and acknowledged (telemetry also on its own). RAM only: like simple firmware, the outbox is not kept in
 * flash. Used on the device's event loop; the counts may be read from any thread.
 */
final class Outbox {
    /** A message kept until its PUBACK, and whether it is telemetry. */
    private record Unacked(Action.Publish publish, boolean telemetry) {
    }

    // by packet id, oldest first
    private final Map<Integer, Unacked> unacked = new LinkedHashMap<>();
    private int nextPacketId = 1;
    private volatile long sent;
    private volatile long acknowledged;
    private volatile long telemetryAcknowledged;

    /** The next packet id (1–65535, then around again), for publishes and subscribes alike. */
    int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    /** A new message to the hub, kept until its PUBACK. */
    Action.Publish publish(String topic, byte[] payload, boolean telemetry) {
        sent++;
        return track(topic, payload, telemetry);
    }

    /** Everything not acknowledged, again, in order, on new packet ids (for a new connection). */
    List<Action.Publish> resendAll() {
        List<Unacked> again = new ArrayList<>(unacked.values());
        unacked.clear();
        List<Action.Publish> out = new ArrayList<>(again.size());
        for (Unacked u : again) {
            out.add(track(u.publish().topic(), u.publish().payload(), u.telemetry()));
        }
        return out;
    }

    void acknowledged(int packetId) {
        Unacked u = unacked.remove(packetId);
        if (u != null) {
            acknowledged++;
            if (u.telemetry()) {
                telemetryAcknowledged++;
            }
        }
    }

    /** A reboot: RAM is gone. */
    void clear() {
        unacked.clear();
    }

    int size() {
        return unacked.size();
    }

    long sent() {
        return sent;
    }

    long acknowledgedCount() {
        return acknowledged;
    }

    long telemetryAcknowledged() {
        return telemetryAcknowledged;
    }

    private Action.Publish track(String topic, byte[] payload, boolean telemetry) {
        Action.Publish p = new Action.Publish(Link.HUB, topic, payload, 1, packetId());
        unacked.put(p.packetId(), new Unacked(p, telemetry));
        return p;
    }
}

package io.fleetkit.firmware;

import io.fleetkit.firmware.Action.Link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QoS 1 messages the hub has not acknowledged yet, the MQTT packet ids, and the counts of
 * messages sent and acknowledged. RAM only: like simple firmware, the outbox is not kept in flash.
 */
final class Outbox {
    // by packet id, oldest first
    private final Map<Integer, Action.Publish> unacked = new LinkedHashMap<>();
    private int nextPacketId = 1;
    private long sent;
    private long acknowledged;

    /** The next packet id (1–65535, then around again), for publishes and subscribes alike. */
    int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    /** A new message to the hub, kept until its PUBACK. */
    Action.Publish publish(String topic, byte[] payload) {
        sent++;
        return track(topic, payload);
    }

    /** Everything not acknowledged, again, in order, on new packet ids (for a new connection). */
    List<Action.Publish> resendAll() {
        List<Action.Publish> again = new ArrayList<>(unacked.values());
        unacked.clear();
        List<Action.Publish> out = new ArrayList<>(again.size());
        for (Action.Publish p : again) {
            out.add(track(p.topic(), p.payload()));
        }
        return out;
    }

    void acknowledged(int packetId) {
        if (unacked.remove(packetId) != null) {
            acknowledged++;
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

    private Action.Publish track(String topic, byte[] payload) {
        Action.Publish p = new Action.Publish(Link.HUB, topic, payload, 1, packetId());
        unacked.put(p.packetId(), p);
        return p;
    }
}

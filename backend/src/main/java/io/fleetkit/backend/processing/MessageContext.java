package io.fleetkit.backend.processing;

import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.Map;

/** Where a handled message came from: its stream, partition and offset, sender and hub properties. */
public record MessageContext(String stream, int partition, long offset, DeviceId deviceId, Instant enqueuedTime,
                             Map<String, String> properties) {
    static MessageContext of(String stream, int partition, StreamRecord r) {
        return new MessageContext(stream, partition, r.offset(), r.deviceId(), r.enqueuedTime(), r.properties());
    }
}

package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * DPS answers a register or status request: {@code $dps/registrations/res/{status}/?$rid={rid}},
 * with {@code &retry-after={seconds}} when the device should poll again (202) or back off (429).
 */
public record DpsResponseTopic(int status, RequestId requestId, OptionalInt retryAfterSeconds) implements Topic {
    public DpsResponseTopic {
        TopicParser.checkStatus(status);
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(retryAfterSeconds, "retryAfterSeconds");
        if (retryAfterSeconds.isPresent() && retryAfterSeconds.getAsInt() < 0) {
            throw new IllegalArgumentException("retryAfterSeconds: must not be negative, was " + retryAfterSeconds.getAsInt());
        }
    }

    @Override
    public String format() {
        String base = "$dps/registrations/res/" + status + "/?$rid=" + requestId.value();
        return retryAfterSeconds.isPresent() ? base + "&retry-after=" + retryAfterSeconds.getAsInt() : base;
    }

    @Override
    public Direction direction() {
        return Direction.CLOUD_TO_DEVICE;
    }
}

package io.fleetkit.firmware;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Changes how a device answers a direct method, at run time: a fixed status and payload, a
 * delay, no answer at all (to test the caller's timeout), or an error rate.
 *
 * @param status    answer with this status instead of the firmware's
 * @param payload   answer with this JSON instead of the firmware's
 * @param delay     answer this much later
 * @param noAnswer  never answer
 * @param errorRate 0–1: the chance of answering 500 instead
 */
public record MethodOverride(OptionalInt status, Optional<String> payload, Duration delay, boolean noAnswer, double errorRate) {
    public static final MethodOverride NONE = new MethodOverride(OptionalInt.empty(), Optional.empty(), Duration.ZERO, false, 0);

    public MethodOverride {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay: must not be negative");
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("errorRate: must be 0–1, was " + errorRate);
        }
    }

    public static MethodOverride fixed(int status, String payload) {
        return new MethodOverride(OptionalInt.of(status), Optional.of(payload), Duration.ZERO, false, 0);
    }

    public static MethodOverride delayed(Duration delay) {
        return new MethodOverride(OptionalInt.empty(), Optional.empty(), delay, false, 0);
    }

    public static MethodOverride silent() {
        return new MethodOverride(OptionalInt.empty(), Optional.empty(), Duration.ZERO, true, 0);
    }

    public static MethodOverride failing(double errorRate) {
        return new MethodOverride(OptionalInt.empty(), Optional.empty(), Duration.ZERO, false, errorRate);
    }
}

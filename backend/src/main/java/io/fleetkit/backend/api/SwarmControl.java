package io.fleetkit.backend.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A simulated swarm running in the backend's process, as the dashboard's swarm and ownership pages
 * drive it: size (start, stop, resize), telemetry rate, method overrides for one device or all, and
 * the simulated button. The backend knows no simulator; whoever runs one (the demo) attaches it with
 * {@link io.fleetkit.backend.Backend#attachSwarm}. Calls come from API worker threads.
 */
public interface SwarmControl {

    Status status();

    /**
     * Powers on the first {@code devices} devices and off the rest (0 stops the swarm).
     *
     * @throws IllegalArgumentException when {@code devices} is out of range, saying the range
     */
    void resize(int devices);

    /** @throws IllegalArgumentException when out of range, saying the range */
    void changeRate(double multiplier);

    /**
     * Sets ({@code override} present) or clears how {@code method} is answered, by one device or
     * (no {@code deviceId}) by every device that has no override of its own.
     *
     * @return false when {@code deviceId} names no device of the swarm
     * @throws IllegalArgumentException for a malformed method name or override
     */
    boolean override(String method, Optional<String> deviceId, Optional<MethodAnswer> override);

    /** @return false when {@code deviceId} names no device of the swarm */
    boolean pressButton(String deviceId);

    /**
     * How a device answers a method instead of its firmware's way.
     *
     * @param status      this status (else the firmware's)
     * @param payloadJson this JSON payload (else the firmware's)
     * @param delayMillis answer this much later
     * @param noAnswer    never answer: the caller times out
     */
    record MethodAnswer(OptionalInt status, Optional<String> payloadJson, long delayMillis, boolean noAnswer) {
        public MethodAnswer {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(payloadJson, "payloadJson");
        }
    }

    /**
     * @param active         devices powered on
     * @param size           devices the swarm has identities for; {@code maxDevices} caps growth
     * @param states         devices per lifecycle state (those powered off are OFF)
     * @param overrides      by scope ({@code "*"} for all, else a device id), then by method name
     * @param pubackMillis   PUBACK latency percentiles over the last interval ({@code p50}, {@code p99}), empty when none
     */
    record Status(int active, int size, int maxDevices, double rateMultiplier, String model, Map<String, Integer> states,
                  Map<String, Map<String, MethodAnswer>> overrides, Map<String, Double> pubackMillis, Map<String, Long> failures) {
        public Status {
            states = Map.copyOf(states);
            overrides = Map.copyOf(overrides);
            pubackMillis = Map.copyOf(pubackMillis);
            failures = Map.copyOf(failures);
        }
    }
}

package io.fleetkit.firmware;

import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;

import java.time.Duration;
import java.util.Objects;

/**
 * How one device is set up: who it is, where DPS is, its device model and its retry policy.
 * Nothing assumes localhost: point {@code dpsHost} at Azure's global endpoint and the same
 * firmware provisions there.
 *
 * @param sameHubRetry       after losing the hub, retry the same hub this long before provisioning again
 * @param backoffBase        first retry delay; doubles per failure, with jitter
 * @param backoffMax         the longest retry delay
 * @param maxFailures        consecutive failures before the device gives up (0 = never)
 * @param rateMultiplier     telemetry this many times as often as the interval says (load tests: 10×)
 */
public record FirmwareConfig(RegistrationId registrationId, String dpsHost, IdScope idScope, DeviceModel model,
                             int keepAliveSeconds, Duration sameHubRetry, Duration backoffBase, Duration backoffMax,
                             int maxFailures, double rateMultiplier) {
    public FirmwareConfig {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(dpsHost, "dpsHost");
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sameHubRetry, "sameHubRetry");
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (keepAliveSeconds < 0 || keepAliveSeconds > 65_535) {
            throw new IllegalArgumentException("keepAliveSeconds: must be 0–65535, was " + keepAliveSeconds);
        }
        if (backoffBase.isNegative() || backoffBase.isZero() || backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffBase, backoffMax: need 0 < base ≤ max, were " + backoffBase + ", " + backoffMax);
        }
        if (maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures: must not be negative");
        }
        if (!(rateMultiplier > 0 && rateMultiplier <= 1000)) {
            throw new IllegalArgumentException("rateMultiplier: must be above 0 and at most 1000, was " + rateMultiplier);
        }
    }

    /** Local defaults: keep-alive 60 s, retry the same hub for 2 minutes, backoff 1 s … 60 s, never give up. */
    public static FirmwareConfig of(RegistrationId id, String dpsHost, IdScope scope, DeviceModel model) {
        return new FirmwareConfig(id, dpsHost, scope, model, 60, Duration.ofMinutes(2), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 0, 1.0);
    }

    public FirmwareConfig withRateMultiplier(double multiplier) {
        return new FirmwareConfig(registrationId, dpsHost, idScope, model, keepAliveSeconds, sameHubRetry, backoffBase, backoffMax,
                maxFailures, multiplier);
    }

    /** After losing the hub, retry it this long before provisioning again. */
    public FirmwareConfig withSameHubRetry(Duration retry) {
        return new FirmwareConfig(registrationId, dpsHost, idScope, model, keepAliveSeconds, retry, backoffBase, backoffMax,
                maxFailures, rateMultiplier);
    }

    public FirmwareConfig withMaxFailures(int n) {
        return new FirmwareConfig(registrationId, dpsHost, idScope, model, keepAliveSeconds, sameHubRetry, backoffBase, backoffMax,
                n, rateMultiplier);
    }

    /** The time between two telemetry messages at {@code intervalSeconds}, sped up by the rate multiplier. */
    public Duration telemetryPeriod(int intervalSeconds) {
        return Duration.ofNanos(Math.max(1_000_000L, Math.round(intervalSeconds * 1e9 / rateMultiplier)));
    }
}

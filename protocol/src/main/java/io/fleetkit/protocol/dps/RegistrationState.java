package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code registrationState} of a DPS operation: where the device was assigned, or why not.
 * Build one with {@link #assigned} or {@link #failed}.
 *
 * @param assignedHub the hub host name the device should connect to (when assigned)
 * @param errorCode   DPS's six-digit error code (when failed), e.g. 401002
 */
public record RegistrationState(RegistrationId registrationId, RegistrationStatus status,
                                Optional<Substatus> substatus, Optional<String> assignedHub,
                                Optional<DeviceId> deviceId, Optional<Instant> createdDateTimeUtc,
                                Optional<Instant> lastUpdatedDateTimeUtc, Optional<String> etag,
                                OptionalInt errorCode, Optional<String> errorMessage) {
    public RegistrationState {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(substatus, "substatus");
        Objects.requireNonNull(assignedHub, "assignedHub");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(createdDateTimeUtc, "createdDateTimeUtc");
        Objects.requireNonNull(lastUpdatedDateTimeUtc, "lastUpdatedDateTimeUtc");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(errorMessage, "errorMessage");
        if (status == RegistrationStatus.ASSIGNED && (assignedHub.isEmpty() || deviceId.isEmpty())) {
            throw new IllegalArgumentException("assignedHub, deviceId: an assigned registration names both");
        }
    }

    public static RegistrationState assigned(RegistrationId id, String assignedHub, DeviceId deviceId, Substatus substatus,
                                             Instant created, Instant lastUpdated, String etag) {
        return new RegistrationState(id, RegistrationStatus.ASSIGNED, Optional.of(substatus), Optional.of(assignedHub),
                Optional.of(deviceId), Optional.of(created), Optional.of(lastUpdated), Optional.of(etag),
                OptionalInt.empty(), Optional.empty());
    }

    public static RegistrationState failed(RegistrationId id, int errorCode, String errorMessage, Instant lastUpdated) {
        return new RegistrationState(id, RegistrationStatus.FAILED, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(lastUpdated), Optional.empty(), OptionalInt.of(errorCode),
                Optional.of(errorMessage));
    }
}

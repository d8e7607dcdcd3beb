package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.id.OperationId;

import java.util.Objects;
import java.util.Optional;

/**
 * The body DPS answers a register request (202, {@code status: assigning}) and each status
 * poll (202 while assigning, 200 once assigned or failed) with.
 */
public record RegistrationOperation(OperationId operationId, RegistrationStatus status,
                                    Optional<RegistrationState> registrationState) {
    public RegistrationOperation {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(registrationState, "registrationState");
    }

    public static RegistrationOperation assigning(OperationId id) {
        return new RegistrationOperation(id, RegistrationStatus.ASSIGNING, Optional.empty());
    }

    public static RegistrationOperation done(OperationId id, RegistrationState state) {
        return new RegistrationOperation(id, state.status(), Optional.of(state));
    }
}

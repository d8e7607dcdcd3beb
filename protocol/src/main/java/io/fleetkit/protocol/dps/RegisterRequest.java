package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.id.RegistrationId;

import java.util.Objects;
import java.util.Optional;

/**
 * The body of {@code $dps/registrations/PUT/iotdps-register/?$rid=…}:
 * {@code {"registrationId":"dev-001","payload":{…}}}.
 *
 * @param payloadJson the optional custom payload as compact JSON text. Devices send it as a JSON
 *                    object or as a JSON string holding JSON (the Azure SDKs differ); both
 *                    arrive here as the object's text. A string that holds no JSON stays a
 *                    JSON string literal.
 */
public record RegisterRequest(RegistrationId registrationId, Optional<String> payloadJson) {
    public RegisterRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }

    public static RegisterRequest of(RegistrationId registrationId) {
        return new RegisterRequest(registrationId, Optional.empty());
    }
}

package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;

import java.util.Objects;

/** What the factory gives a device: its registration id (the certificate's CN), key and chain. */
public record DeviceIdentity(RegistrationId registrationId, Credential credential) {
    public DeviceIdentity {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(credential, "credential");
        if (!credential.commonName().equals(registrationId.value())) {
            throw new IllegalArgumentException("credential: certificate CN '" + credential.commonName()
                    + "' is not the registration id '" + registrationId.value() + "'");
        }
    }

    public DeviceId deviceId() {
        return registrationId.toDeviceId();
    }
}

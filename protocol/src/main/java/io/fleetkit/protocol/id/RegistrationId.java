package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * A Device Provisioning Service registration id: 1–128 characters, lower-case ASCII letters,
 * digits and {@code - . _ :}. For X.509 attestation it is the device certificate's CN, and
 * fleetkit's factory gives the device the same string as its {@link DeviceId}.
 */
public record RegistrationId(String value) implements Comparable<RegistrationId> {
    public static final int MAX_LENGTH = 128;
    private static final String SPECIALS = "-._:";

    public RegistrationId {
        IdentifierRules.check(Subject.REGISTRATION_ID, value, MAX_LENGTH,
                c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || SPECIALS.indexOf(c) >= 0,
                "lower-case ASCII letters, digits and - . _ :");
    }

    public static RegistrationId of(String value) {
        return new RegistrationId(value);
    }

    /** The device id a registration id maps to (every registration id is a valid device id). */
    public DeviceId toDeviceId() {
        return new DeviceId(value);
    }

    @Override
    public int compareTo(RegistrationId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

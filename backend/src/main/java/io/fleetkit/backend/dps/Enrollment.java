package io.fleetkit.backend.dps;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.Certificates;

import java.security.cert.X509Certificate;
import java.util.Objects;

/** What lets a device register with DPS: an individual enrollment, or a group keyed by a CA certificate. */
public sealed interface Enrollment permits Enrollment.Individual, Enrollment.Group {

    /** A name for logs and the API: the registration id, or the group name. */
    String name();

    boolean enabled();

    Enrollment withEnabled(boolean enabled);

    /** How DPS picks the hub of a device registering through it ({@link AllocationPolicy#DEFAULT} unless set). */
    AllocationPolicy allocation();

    Enrollment withAllocation(AllocationPolicy allocation);

    /**
     * One device, known by its registration id and the SHA-256 thumbprint of its certificate.
     *
     * @param sha256Thumbprint upper-case hex, as {@link Certificates#sha256Thumbprint} gives it
     */
    record Individual(RegistrationId registrationId, String sha256Thumbprint, boolean enabled, AllocationPolicy allocation)
            implements Enrollment {
        public Individual {
            Objects.requireNonNull(registrationId, "registrationId");
            Objects.requireNonNull(sha256Thumbprint, "sha256Thumbprint");
            if (!sha256Thumbprint.matches("[0-9A-F]{64}")) {
                throw new IllegalArgumentException("sha256Thumbprint: expected 64 upper-case hex digits, was '" + sha256Thumbprint + "'");
            }
            Objects.requireNonNull(allocation, "allocation");
        }

        /** With DPS's default allocation (evenly weighted). */
        public Individual(RegistrationId registrationId, String sha256Thumbprint, boolean enabled) {
            this(registrationId, sha256Thumbprint, enabled, AllocationPolicy.DEFAULT);
        }

        /** An individual enrollment for a device certificate (its CN is the registration id). */
        public static Individual of(X509Certificate deviceCertificate) {
            return new Individual(RegistrationId.of(Certificates.commonName(deviceCertificate)),
                    Certificates.sha256Thumbprint(deviceCertificate), true);
        }

        @Override
        public String name() {
            return registrationId.value();
        }

        @Override
        public Individual withEnabled(boolean e) {
            return new Individual(registrationId, sha256Thumbprint, e, allocation);
        }

        @Override
        public Individual withAllocation(AllocationPolicy a) {
            return new Individual(registrationId, sha256Thumbprint, enabled, a);
        }
    }

    /** Every device whose certificate chains to {@code ca} (a root or intermediate CA). */
    record Group(String name, X509Certificate ca, boolean enabled, AllocationPolicy allocation) implements Enrollment {
        public Group {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ca, "ca");
            if (ca.getBasicConstraints() < 0) {
                throw new IllegalArgumentException("ca: '" + Certificates.commonName(ca) + "' is not a CA certificate");
            }
            Objects.requireNonNull(allocation, "allocation");
        }

        /** With DPS's default allocation (evenly weighted). */
        public Group(String name, X509Certificate ca, boolean enabled) {
            this(name, ca, enabled, AllocationPolicy.DEFAULT);
        }

        @Override
        public Group withEnabled(boolean e) {
            return new Group(name, ca, e, allocation);
        }

        @Override
        public Group withAllocation(AllocationPolicy a) {
            return new Group(name, ca, enabled, a);
        }
    }
}

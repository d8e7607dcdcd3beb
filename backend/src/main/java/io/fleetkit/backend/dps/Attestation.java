package io.fleetkit.backend.dps;

import io.fleetkit.backend.registry.Authentication;

import java.util.Objects;

/** The outcome of checking a device's certificate chain against the enrollments. */
public sealed interface Attestation permits Attestation.Accepted, Attestation.Refused {

    /** The chain is trusted through {@code enrollment}, which is enabled. */
    record Accepted(Enrollment enrollment, String commonName) implements Attestation {
        public Authentication authentication() {
            return enrollment instanceof Enrollment.Group ? Authentication.X509_CA_SIGNED : Authentication.X509_SELF_SIGNED;
        }
    }

    /** Why not. */
    record Refused(Reason reason, String detail) implements Attestation {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    enum Reason {
        /** No enrollment trusts the certificate (unknown CA, unknown individual certificate). */
        UNKNOWN_ENROLLMENT,
        /** The enrollment that trusts it is disabled. */
        DISABLED_ENROLLMENT,
        /** No client certificate, or one that is expired or not yet valid. */
        INVALID_CERTIFICATE
    }
}

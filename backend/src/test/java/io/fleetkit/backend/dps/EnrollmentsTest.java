package io.fleetkit.backend.dps;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EnrollmentsTest {
    static final CertificateIssuer ISSUER = new CertificateIssuer();

    @Test
    void aValidatedIssuerSpeedsUpLaterDevicesButForgeriesStillFail() {
        Credential root = ISSUER.createRoot("root");
        Credential intermediate = ISSUER.createIntermediate(root, "factory intermediate");
        Enrollments e = new Enrollments();
        e.add(new Enrollment.Group("factory", root.certificate(), true));
        DeviceIdentity first = ISSUER.issueDevice(intermediate, RegistrationId.of("dev-1"), KeyAlgorithm.EC_P256);
        DeviceIdentity second = ISSUER.issueDevice(intermediate, RegistrationId.of("dev-2"), KeyAlgorithm.EC_P256);
        assertThat(e.attest(first.credential().chain(), Instant.now())).isInstanceOf(Attestation.Accepted.class);
        assertThat(e.attest(second.credential().chain(), Instant.now())).as("through the cached issuer").isInstanceOf(Attestation.Accepted.class);

        // an impostor CA with the same name as the validated intermediate signs a device certificate
        Credential impostor = ISSUER.createIntermediate(ISSUER.createRoot("evil root"), "factory intermediate");
        DeviceIdentity forged = ISSUER.issueDevice(impostor, RegistrationId.of("dev-3"), KeyAlgorithm.EC_P256);
        List<X509Certificate> claimsTheRealIssuer = List.of(forged.credential().certificate(), intermediate.certificate());
        assertThat(e.attest(claimsTheRealIssuer, Instant.now())).isInstanceOf(Attestation.Refused.class);
        assertThat(e.attest(forged.credential().chain(), Instant.now())).isInstanceOf(Attestation.Refused.class);

        e.setEnabled("factory", false);
        assertThat(e.attest(second.credential().chain(), Instant.now())).isInstanceOf(Attestation.Refused.class);
    }
}

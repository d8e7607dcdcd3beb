package io.fleetkit.backend.dps;

import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.Certificates;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The DPS enrollments, and the check both DPS and the hub make of a client certificate chain.
 * Thread-safe; {@link #attest} validates signatures, so it runs off the event loop.
 */
public final class Enrollments {
    private final Map<RegistrationId, Enrollment.Individual> individuals = new ConcurrentHashMap<>();
    private final List<Enrollment.Group> groups = new CopyOnWriteArrayList<>();
    // issuing CAs already validated up to a group's CA, by group name: a device certificate they
    // issued needs one signature check instead of a whole path validation (a connect storm's cost)
    private final Map<X509Certificate, String> validatedIssuers = new ConcurrentHashMap<>();

    public void add(Enrollment enrollment) {
        if (enrollment instanceof Enrollment.Individual i) {
            individuals.put(i.registrationId(), i);
        } else {
            Enrollment.Group g = (Enrollment.Group) enrollment;
            groups.removeIf(x -> x.name().equals(g.name()));
            groups.add(g);
            validatedIssuers.values().removeIf(name -> name.equals(g.name())); // its CA may have changed
        }
    }

    /**
     * Enables or disables the enrollment with this name (a group name or a registration id).
     *
     * @throws FleetkitException of kind {@code NOT_FOUND} when there is none
     */
    public void setEnabled(String name, boolean enabled) {
        boolean found = false;
        for (Enrollment.Group g : groups) {
            if (g.name().equals(name)) {
                groups.set(groups.indexOf(g), g.withEnabled(enabled));
                found = true;
            }
        }
        Enrollment.Individual i = individuals.values().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
        if (i != null) {
            individuals.put(i.registrationId(), i.withEnabled(enabled));
            found = true;
        }
        if (!found) {
            throw new FleetkitException(FleetkitException.Kind.NOT_FOUND, "no enrollment named '" + name + "'");
        }
    }

    public List<Enrollment> all() {
        List<Enrollment> out = new java.util.ArrayList<>(groups);
        out.addAll(individuals.values());
        return out;
    }

    /** The CA certificates of the group enrollments (what the server tells clients it trusts). */
    public List<X509Certificate> groupCas() {
        return groups.stream().map(Enrollment.Group::ca).toList();
    }

    /** Whether {@code chain} leads to the group's CA: one signature when its issuer was validated before, else PKIX. */
    private boolean issuedUnder(List<X509Certificate> chain, Enrollment.Group g, Instant now) {
        X509Certificate leaf = chain.get(0);
        X509Certificate issuer = chain.size() > 1 ? chain.get(1) : null;
        if (issuer != null && g.name().equals(validatedIssuers.get(issuer)) && leaf.getBasicConstraints() < 0
                && leaf.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            try {
                issuer.checkValidity(java.util.Date.from(now));
            } catch (java.security.GeneralSecurityException e) {
                return false;
            }
            return Certificates.signedBy(leaf, issuer.getPublicKey());
        }
        try {
            Certificates.validateChain(chain, List.of(g.ca()), now);
        } catch (CertificateException notThisGroup) {
            return false;
        }
        if (issuer != null && validatedIssuers.size() < 10_000) {
            validatedIssuers.put(issuer, g.name());
        }
        return true;
    }

    /**
     * Which enrollment trusts {@code chain} (leaf first): an individual enrollment by the leaf's
     * thumbprint, else a group whose CA the chain validates to at {@code now}.
     */
    public Attestation attest(List<X509Certificate> chain, Instant now) {
        if (chain.isEmpty()) {
            return new Attestation.Refused(Attestation.Reason.INVALID_CERTIFICATE, "no client certificate");
        }
        X509Certificate leaf = chain.get(0);
        String cn = Certificates.commonName(leaf);
        try {
            leaf.checkValidity(java.util.Date.from(now));
        } catch (CertificateException e) {
            return new Attestation.Refused(Attestation.Reason.INVALID_CERTIFICATE, "certificate of '" + cn + "' is not valid now: " + e.getMessage());
        }
        Optional<Enrollment.Individual> individual = individuals.values().stream()
                .filter(i -> i.sha256Thumbprint().equals(Certificates.sha256Thumbprint(leaf))).findFirst();
        if (individual.isPresent()) {
            return individual.get().enabled() ? new Attestation.Accepted(individual.get(), cn)
                    : new Attestation.Refused(Attestation.Reason.DISABLED_ENROLLMENT, "individual enrollment '" + cn + "' is disabled");
        }
        Attestation.Refused disabled = null;
        for (Enrollment.Group g : groups) {
            if (!issuedUnder(chain, g, now)) {
                continue;
            }
            if (g.enabled()) {
                return new Attestation.Accepted(g, cn);
            }
            disabled = new Attestation.Refused(Attestation.Reason.DISABLED_ENROLLMENT, "enrollment group '" + g.name() + "' is disabled");
        }
        if (disabled != null) {
            return disabled;
        }
        return new Attestation.Refused(Attestation.Reason.UNKNOWN_ENROLLMENT, "certificate of '" + cn + "' (issuer "
                + leaf.getIssuerX500Principal().getName() + ") matches no enrollment");
    }
}

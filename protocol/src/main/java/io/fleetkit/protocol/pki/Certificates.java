package io.fleetkit.protocol.pki;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Facts about certificates and the chain check that DPS and the hub make. */
public final class Certificates {
    private Certificates() {
    }

    /**
     * Parses one DER-encoded X.509 certificate.
     *
     * @throws IllegalArgumentException when the bytes are not a certificate
     */
    public static X509Certificate fromDer(byte[] der) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("not a DER-encoded X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The CN of a certificate's subject, or "" when it has none. */
    public static String commonName(X509Certificate certificate) {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        RDN[] cns = name.getRDNs(BCStyle.CN);
        return cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    /** The SHA-1 thumbprint in upper-case hex, as Azure shows it for individual enrollments. */
    /**
     * Whether {@code certificate} is signed by the key {@code issuer}, checked with BouncyCastle: for
     * ECDSA P-256 its verification is ~4.7× the JDK's (DpsRegisterBenchmark), and every CONNECT and
     * DPS registration of a device checks one.
     */
    public static boolean signedBy(X509Certificate certificate, java.security.PublicKey issuer) {
        try {
            certificate.verify(issuer, BouncyCastle.PROVIDER);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public static String sha1Thumbprint(X509Certificate certificate) {
        return thumbprint(certificate, "SHA-1");
    }

    /** The SHA-256 thumbprint in upper-case hex. */
    public static String sha256Thumbprint(X509Certificate certificate) {
        return thumbprint(certificate, "SHA-256");
    }

    private static String thumbprint(X509Certificate certificate, String digest) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(digest).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digest + " is always available", e);
        }
    }

    /**
     * Checks that {@code chain} (leaf first; intermediates may be included) leads to one of
     * {@code anchors} and that every certificate is valid at {@code at}. Revocation is not
     * checked (the local PKI publishes no CRLs).
     *
     * @throws CertificateException with a one-line reason when it does not
     */
    public static void validateChain(List<X509Certificate> chain, Collection<X509Certificate> anchors, Instant at)
            throws CertificateException {
        if (chain.isEmpty()) {
            throw new CertificateException("empty certificate chain");
        }
        Set<TrustAnchor> trust = anchors.stream().map(a -> new TrustAnchor(a, null)).collect(Collectors.toSet());
        if (trust.isEmpty()) {
            throw new CertificateException("no trust anchors to validate against");
        }
        // the anchor itself must not be in the path PKIX validates
        List<X509Certificate> path = chain.stream().filter(c -> !anchors.contains(c)).toList();
        try {
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
            String which = e.getIndex() >= 0 && e.getIndex() < path.size()
                    ? " (certificate '" + commonName(path.get(e.getIndex())) + "')" : "";
            throw new CertificateException("chain of '" + commonName(chain.get(0)) + "' does not validate" + which + ": "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("chain of '" + commonName(chain.get(0)) + "' cannot be checked: " + e.getMessage(), e);
        }
    }
}

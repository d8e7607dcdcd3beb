package io.fleetkit.backend.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The certificate thumbprints a device is registered with when it authenticates with its own (self-signed) certificate, as
 * IoT Hub keeps them: a primary and an optional secondary, each the SHA-1 (40 hex digits) or SHA-256 (64) of the DER
 * certificate (https://learn.microsoft.com/azure/iot-hub/reference-x509-certificates). Kept upper-case.
 */
public record Thumbprints(String primary, String secondary) {
    public Thumbprints {
        primary = normalise("primaryThumbprint", primary);
        if (primary == null) {
            throw new IllegalArgumentException("primaryThumbprint: required for a device that authenticates by thumbprint");
        }
        secondary = normalise("secondaryThumbprint", secondary);
    }

    private static String normalise(String field, String hex) {
        if (hex == null || hex.isBlank()) {
            return null;
        }
        String h = hex.strip().replace(":", "").toUpperCase(Locale.ROOT);
        if (!h.matches("[0-9A-F]{40}|[0-9A-F]{64}")) {
            throw new IllegalArgumentException(field + ": expected the SHA-1 (40 hex digits) or SHA-256 (64) of a certificate, was '" + hex + "'");
        }
        return h;
    }

    /** Whether the certificate's SHA-1 or SHA-256 is the primary or the secondary thumbprint. */
    public boolean matches(X509Certificate certificate) {
        return matches(digest("SHA-1", certificate)) || matches(digest("SHA-256", certificate));
    }

    private boolean matches(String thumbprint) {
        return thumbprint.equals(primary) || thumbprint.equals(secondary);
    }

    private static String digest(String algorithm, X509Certificate certificate) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(algorithm).digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot take the " + algorithm + " of a certificate", e);
        }
    }
}

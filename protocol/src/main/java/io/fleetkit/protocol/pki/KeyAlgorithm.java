package io.fleetkit.protocol.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.ECGenParameterSpec;

/** The key types the factory issues. EC P-256 is the default: small, fast, and what MCUs accelerate. */
public enum KeyAlgorithm {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_2048("RSA", "SHA256withRSA");

    private final String jcaName;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The JCA signature algorithm for signing with a key of this type. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The algorithm of an existing key. */
    public static KeyAlgorithm of(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> EC_P256;
            case "RSA" -> RSA_2048;
            default -> throw new IllegalArgumentException("key: unsupported algorithm " + key.getAlgorithm() + "; expected EC or RSA");
        };
    }

    /** Parses the CLI spelling: {@code ec} / {@code ec-p256} or {@code rsa} / {@code rsa-2048}. */
    public static KeyAlgorithm parse(String text) {
        return switch (text.toLowerCase()) {
            case "ec", "ec-p256", "p256", "ec_p256" -> EC_P256;
            case "rsa", "rsa-2048", "rsa2048", "rsa_2048" -> RSA_2048;
            default -> throw new IllegalArgumentException("key algorithm '" + text + "' is not supported; expected ec-p256 or rsa-2048");
        };
    }

    /** A new generator of this algorithm's keys from {@code provider}. Not thread-safe. */
    KeyPairGenerator newGenerator(Provider provider) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(jcaName, provider);
            if (this == EC_P256) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(provider.getName() + " cannot generate " + name() + " keys", e);
        }
    }
}

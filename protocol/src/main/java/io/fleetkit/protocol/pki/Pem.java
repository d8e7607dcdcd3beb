package io.fleetkit.protocol.pki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * PEM text for certificates (one or more {@code CERTIFICATE} blocks, leaf first) and private keys
 * ({@code PRIVATE KEY}, unencrypted PKCS#8, as OpenSSL and the Azure SDKs read them; reading
 * also accepts {@code EC PRIVATE KEY} and {@code RSA PRIVATE KEY}).
 */
public final class Pem {
    private Pem() {
    }

    public static String certificates(List<X509Certificate> chain) {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            for (X509Certificate c : chain) {
                w.writeObject(new PemObject("CERTIFICATE", c.getEncoded()));
            }
        } catch (IOException | CertificateEncodingException e) {
            throw new IllegalStateException("PEM encoding of a certificate failed", e);
        }
        return out.toString();
    }

    public static String privateKey(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding of a private key failed", e);
        }
        return out.toString();
    }

    /**
     * @throws IllegalArgumentException naming {@code source} when the text holds no certificate
     *                                  or something else than certificates
     */
    public static List<X509Certificate> readCertificates(String pem, String source) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new IllegalArgumentException(source + ": expected CERTIFICATE blocks, found " + o.getClass().getSimpleName());
                }
                out.add(converter.getCertificate(holder));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": not a readable PEM certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": holds no PEM certificate");
        }
        return out;
    }

    public static PrivateKey readPrivateKey(String pem, String source) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return toKey(info, source);
            }
            if (o instanceof PEMKeyPair pair) {
                return toKey(pair.getPrivateKeyInfo(), source);
            }
            throw new IllegalArgumentException(source + ": expected an unencrypted PRIVATE KEY, found "
                    + (o == null ? "nothing" : o.getClass().getSimpleName()));
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a readable PEM private key: " + e.getMessage(), e);
        }
    }

    /**
     * A key object from BouncyCastle's provider (its EC arithmetic signs several times faster
     * than the JDK's) named "EC" or "RSA" as the JDK names them, so JSSE picks it for TLS: BC's
     * PEM converter would call an EC key "ECDSA", and JSSE would then present no certificate.
     */
    private static PrivateKey toKey(PrivateKeyInfo info, String source) throws IOException {
        String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
        String algorithm = oid.equals("1.2.840.10045.2.1") ? "EC" : oid.equals("1.2.840.113549.1.1.1") ? "RSA" : null;
        if (algorithm == null) {
            throw new IllegalArgumentException(source + ": unsupported key algorithm " + oid + "; expected EC or RSA");
        }
        try {
            return java.security.KeyFactory.getInstance(algorithm, BouncyCastle.PROVIDER)
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": unreadable " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> readCertificates(Path file) {
        return readCertificates(read(file), file.toString());
    }

    public static PrivateKey readPrivateKey(Path file) {
        return readPrivateKey(read(file), file.toString());
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

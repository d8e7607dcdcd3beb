package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

/**
 * Issues the certificates of a customer-managed PKI on BouncyCastle: a root CA, an intermediate
 * CA, device certificates (CN = registration id, client auth) and server certificates (SANs,
 * server auth). Thread-safe: a factory batch calls {@link #issueDevice} from all cores.
 */
public final class CertificateIssuer {
    /** Certificates start an hour in the past, so a device whose clock lags a little still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    public static final Duration ROOT_VALIDITY = Duration.ofDays(20 * 365);
    public static final Duration INTERMEDIATE_VALIDITY = Duration.ofDays(10 * 365);
    public static final Duration DEVICE_VALIDITY = Duration.ofDays(10 * 365);
    public static final Duration SERVER_VALIDITY = Duration.ofDays(2 * 365);

    private final Clock clock;
    private final Provider provider;
    private final SecureRandom random = new SecureRandom();
    private final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    // generators per thread: KeyPairGenerator is not thread-safe, and a factory batch runs on all cores
    private final ThreadLocal<Map<KeyAlgorithm, KeyPairGenerator>> generators =
            ThreadLocal.withInitial(() -> new EnumMap<>(KeyAlgorithm.class));

    /**
     * @param provider the JCA provider that generates keys and signs certificates: BouncyCastle by
     *                 default; a factory with an HSM would pass its PKCS#11 provider
     */
    public CertificateIssuer(Clock clock, Provider provider) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    public CertificateIssuer(Clock clock) {
        this(clock, BouncyCastle.PROVIDER);
    }

    public CertificateIssuer() {
        this(Clock.systemUTC());
    }

    /** A new key pair from this issuer's provider. Thread-safe. */
    public KeyPair generateKeyPair(KeyAlgorithm algorithm) {
        return generators.get().computeIfAbsent(algorithm, a -> a.newGenerator(provider)).generateKeyPair();
    }

    /** A self-signed root CA, EC P-256. */
    public Credential createRoot(String commonName) {
        KeyPair keys = generateKeyPair(KeyAlgorithm.EC_P256);
        X500Name name = name(commonName);
        X509Certificate cert = build(name, keys.getPublic(), name, keys.getPrivate(), null, ROOT_VALIDITY, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        return new Credential(keys.getPrivate(), List.of(cert));
    }

    /** An intermediate CA under {@code root} that may sign end-entity certificates only (path length 0). */
    public Credential createIntermediate(Credential root, String commonName) {
        KeyPair keys = generateKeyPair(KeyAlgorithm.EC_P256);
        X509Certificate cert = build(name(commonName), keys.getPublic(), subject(root), root.key(), root.certificate(), INTERMEDIATE_VALIDITY, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        chain.addAll(root.chain());
        return new Credential(keys.getPrivate(), chain);
    }

    /** A device certificate: CN = registration id, client authentication; the chain is leaf + issuing CA. */
    public DeviceIdentity issueDevice(Credential ca, RegistrationId registrationId, KeyAlgorithm algorithm) {
        KeyPair keys = generateKeyPair(algorithm);
        int usage = KeyUsage.digitalSignature | (algorithm == KeyAlgorithm.RSA_2048 ? KeyUsage.keyEncipherment : 0);
        X509Certificate cert = build(name(registrationId.value()), keys.getPublic(), subject(ca), ca.key(), ca.certificate(), DEVICE_VALIDITY, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        });
        return new DeviceIdentity(registrationId, new Credential(keys.getPrivate(), List.of(cert, ca.certificate())));
    }

    /**
     * A self-signed device certificate (CN = registration id, client authentication, signed by its own key), as a
     * developer makes one with {@code openssl req -x509}: what IoT Hub and DPS accept by thumbprint (individual enrollment,
     * "self-signed" authentication). The chain is the certificate alone.
     */
    public DeviceIdentity selfSignedDevice(RegistrationId registrationId, KeyAlgorithm algorithm) {
        KeyPair keys = generateKeyPair(algorithm);
        int usage = KeyUsage.digitalSignature | (algorithm == KeyAlgorithm.RSA_2048 ? KeyUsage.keyEncipherment : 0);
        X500Name name = name(registrationId.value());
        X509Certificate cert = build(name, keys.getPublic(), name, keys.getPrivate(), null, DEVICE_VALIDITY, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        });
        return new DeviceIdentity(registrationId, new Credential(keys.getPrivate(), List.of(cert)));
    }

    /**
     * A TLS server certificate.
     *
     * @param sans subject alternative names: IP literals become {@code IP:}, others {@code DNS:}
     */
    public Credential issueServer(Credential ca, String commonName, List<String> sans) {
        if (sans.isEmpty()) {
            throw new IllegalArgumentException("sans: a server certificate needs at least one subject alternative name");
        }
        KeyPair keys = generateKeyPair(KeyAlgorithm.EC_P256);
        GeneralName[] names = sans.stream()
                .map(s -> new GeneralName(isIpLiteral(s) ? GeneralName.iPAddress : GeneralName.dNSName, s))
                .toArray(GeneralName[]::new);
        X509Certificate cert = build(name(commonName), keys.getPublic(), subject(ca), ca.key(), ca.certificate(), SERVER_VALIDITY, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        });
        return new Credential(keys.getPrivate(), List.of(cert, ca.certificate()));
    }

    static boolean isIpLiteral(String s) {
        return s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || s.contains(":");
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder b) throws CertIOException;
    }

    /** @param issuerCertificate null for a self-signed certificate */
    private X509Certificate build(X500Name subject, PublicKey publicKey, X500Name issuer, PrivateKey signingKey,
                                  X509Certificate issuerCertificate, Duration validity, Extensions extensions) {
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(validity)), subject, publicKey);
            extensions.add(b);
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, issuerCertificate == null
                    ? utils.createAuthorityKeyIdentifier(publicKey)
                    : utils.createAuthorityKeyIdentifier(issuerCertificate));
            var contentSigner = new JcaContentSignerBuilder(KeyAlgorithm.of(signingKey).signatureAlgorithm())
                    .setProvider(provider).build(signingKey);
            return converter.getCertificate(b.build(contentSigner));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("could not issue a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private BigInteger serial() {
        // 127 random bits: positive, unique in practice, and within RFC 5280's 20 octets
        return new BigInteger(127, random).setBit(126);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    private static X500Name subject(Credential ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }
}

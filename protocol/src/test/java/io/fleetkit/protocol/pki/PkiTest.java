package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PkiTest {
    @TempDir
    static Path tmp;
    static PkiDirectory pki;
    static final CertificateIssuer ISSUER = new CertificateIssuer();

    @BeforeAll
    static void createPki() {
        pki = PkiDirectory.init(tmp.resolve("pki"), PkiDirectory.DEFAULT_SERVER_SANS, ISSUER);
    }

    @Test
    void layoutAndChains() throws Exception {
        Path dir = pki.dir();
        for (String f : List.of("root-ca.pem", "root-ca.key", "intermediate-ca.pem", "intermediate-ca.key", "server.pem", "server.key")) {
            assertThat(dir.resolve(f)).exists();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root-ca.key")))).isEqualTo("rw-------");
        PkiDirectory loaded = PkiDirectory.load(dir);
        assertThat(loaded.root().certificate()).isEqualTo(pki.root().certificate());
        assertThat(loaded.intermediate().chain()).hasSize(2);
        X509Certificate server = loaded.server().certificate();
        assertThat(server.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList()).containsExactly("127.0.0.1", "localhost");
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        Certificates.validateChain(loaded.server().chain(), loaded.trustAnchors(), Instant.now());
        assertThat(loaded.intermediate().certificate().getBasicConstraints()).isEqualTo(0);
    }

    @Test
    void initRefusesToOverwrite() {
        assertThatThrownBy(() -> PkiDirectory.init(pki.dir(), PkiDirectory.DEFAULT_SERVER_SANS, ISSUER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already holds a PKI");
        assertThatThrownBy(() -> PkiDirectory.load(tmp.resolve("nowhere")))
                .hasMessageContaining("no such directory; create a PKI with 'fleetkit pki init --dir");
    }

    @Test
    void deviceCertificates() throws Exception {
        DeviceIdentity ec = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dev-ec"), KeyAlgorithm.EC_P256);
        DeviceIdentity rsa = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dev-rsa"), KeyAlgorithm.RSA_2048);
        for (DeviceIdentity d : List.of(ec, rsa)) {
            X509Certificate leaf = d.credential().certificate();
            assertThat(Certificates.commonName(leaf)).isEqualTo(d.registrationId().value());
            assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
            assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
            assertThat(d.credential().chain()).containsExactly(leaf, pki.intermediate().certificate());
            Certificates.validateChain(d.credential().chain(), pki.trustAnchors(), Instant.now());
            assertThat(Certificates.sha1Thumbprint(leaf)).matches("[0-9A-F]{40}");
        }
        assertThat(ec.credential().key().getAlgorithm()).isEqualTo("EC");
        assertThat(rsa.credential().key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void chainValidationFailuresAreExplained() {
        DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dev-x"), KeyAlgorithm.EC_P256);
        Credential otherRoot = ISSUER.createRoot("other root");
        assertThatThrownBy(() -> Certificates.validateChain(d.credential().chain(), List.of(otherRoot.certificate()), Instant.now()))
                .isInstanceOf(CertificateException.class)
                .hasMessageStartingWith("chain of 'dev-x' does not validate");
        assertThatThrownBy(() -> Certificates.validateChain(d.credential().chain(), pki.trustAnchors(),
                Instant.now().plus(11 * 365, ChronoUnit.DAYS)))
                .hasMessageContaining("does not validate");
        assertThatThrownBy(() -> Certificates.validateChain(List.of(d.credential().certificate()), pki.trustAnchors(), Instant.now()))
                .as("without the intermediate the leaf does not reach the root")
                .hasMessageContaining("does not validate");
    }

    @Test
    void pemAndPkcs12RoundTrip() {
        DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dev-rt"), KeyAlgorithm.EC_P256);
        pki.store(d);
        DeviceIdentity back = pki.loadDevice(RegistrationId.of("dev-rt"));
        assertThat(back.credential().chain()).isEqualTo(d.credential().chain());
        assertThat(back.credential().key().getEncoded()).isEqualTo(d.credential().key().getEncoded());
        assertThat(Pem.privateKey(d.credential().key())).startsWith("-----BEGIN PRIVATE KEY-----");
        byte[] p12 = Pkcs12.write(d.credential(), "dev-rt", "secret".toCharArray());
        Credential fromP12 = Pkcs12.read(p12, "secret".toCharArray(), "dev-rt.p12");
        assertThat(fromP12.chain()).isEqualTo(d.credential().chain());
        assertThatThrownBy(() -> Pkcs12.read(p12, "wrong".toCharArray(), "dev-rt.p12"))
                .hasMessageStartingWith("dev-rt.p12: not a PKCS#12 file, or the password is wrong");
        assertThatThrownBy(() -> Pem.readCertificates("hello", "x.pem")).hasMessage("x.pem: holds no PEM certificate");
        assertThatThrownBy(() -> pki.loadDevice(RegistrationId.of("dev-missing"))).hasMessageContaining("no device 'dev-missing'");
    }

    @Test
    void presenceSignatures() {
        for (KeyAlgorithm alg : KeyAlgorithm.values()) {
            DeviceIdentity d = ISSUER.issueDevice(pki.intermediate(), RegistrationId.of("dev-sig"), alg);
            String nonce = "n0nce-0123456789ab";
            byte[] sig = PresenceSignatures.sign(d.credential().key(), d.deviceId(), nonce);
            X509Certificate cert = d.credential().certificate();
            assertThat(PresenceSignatures.verify(cert, d.deviceId(), nonce, sig)).isTrue();
            assertThat(PresenceSignatures.verify(cert, d.deviceId(), "n0nce-0123456789ac", sig)).isFalse();
            assertThat(PresenceSignatures.verify(cert, io.fleetkit.protocol.id.DeviceId.of("dev-other"), nonce, sig)).isFalse();
            assertThat(PresenceSignatures.verify(cert, d.deviceId(), nonce, new byte[]{1, 2, 3})).isFalse();
        }
    }

    @Test
    void factoryBatchIssuesOnAllThreadsAndStores() {
        List<RegistrationId> ids = FactoryBatch.ids("batch-", 1, 40);
        assertThat(ids.get(0).value()).isEqualTo("batch-00001");
        List<Integer> progress = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<DeviceIdentity> out = new ConcurrentLinkedQueue<>();
        FactoryBatch.Stats stats = FactoryBatch.issue(ISSUER, pki.intermediate(), ids, KeyAlgorithm.EC_P256, 4,
                d -> {
                    out.add(d);
                    pki.store(d);
                }, (done, total) -> progress.add(done));
        assertThat(stats.issued()).isEqualTo(40);
        assertThat(out).extracting(DeviceIdentity::registrationId).containsExactlyInAnyOrderElementsOf(ids);
        // reported from 4 workers, yet strictly rising and ending at the total
        assertThat(progress).isNotEmpty().doesNotHaveDuplicates().isSorted().last().isEqualTo(40);
        assertThat(pki.deviceIds()).containsAll(ids);
        assertThat(out.stream().map(d -> d.credential().certificate().getSerialNumber()).distinct().count()).isEqualTo(40);
        assertThatThrownBy(() -> FactoryBatch.ids("Dev-", 1, 1)).hasMessageContaining("invalid registration id 'Dev-00001'");
    }
}

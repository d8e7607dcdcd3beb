package io.fleetkit.bench.backend;

import io.fleetkit.backend.dps.DpsReply;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.dps.HubAllocation;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DPS handling one register request (body decoded, chain attested against the group enrollment,
 * the device created in the registry, an operation started), for 1,000 devices in turn, each time
 * with certificates freshly parsed as a TLS handshake delivers them (the JDK caches a verification
 * inside the certificate object, so reusing objects would measure the cache). Baselines in the same
 * run: parsing the two certificates alone, and verifying one ECDSA P-256 signature with the JDK's
 * provider — the least an X.509 attestation costs (the issuing CA is validated once and cached, so
 * each device costs its own certificate's signature).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DpsRegisterBenchmark {
    private static final int DEVICES = 1000;

    private DpsService dps;
    private final List<RegistrationId> ids = new ArrayList<>();
    private final List<byte[][]> chains = new ArrayList<>();
    private CertificateFactory x509;
    private final List<byte[]> bodies = new ArrayList<>();
    private int next;
    private X509Certificate leaf;
    private X509Certificate issuer;

    @Setup
    public void setUp() {
        CertificateIssuer certificates = new CertificateIssuer();
        Credential intermediate = certificates.createIntermediate(certificates.createRoot("bench root"), "bench intermediate");
        Enrollments enrollments = new Enrollments();
        enrollments.add(new Enrollment.Group("factory", intermediate.certificate(), true));
        dps = new DpsService(IdScope.DEFAULT, new HubAllocation(List.of(HubHostName.of("127.0.0.1"))), enrollments,
                new InMemoryDeviceRegistry(), Clock.systemUTC(), 2);
        for (RegistrationId id : FactoryBatch.ids("bench-", 1, DEVICES)) {
            DeviceIdentity d = certificates.issueDevice(intermediate, id, KeyAlgorithm.EC_P256);
            ids.add(id);
            try {
                chains.add(new byte[][]{d.credential().certificate().getEncoded(), intermediate.certificate().getEncoded()});
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
            bodies.add(("{\"registrationId\":\"" + id.value() + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        try {
            x509 = CertificateFactory.getInstance("X.509");
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
        leaf = parse(chains.get(0)[0]);
        issuer = intermediate.certificate();
    }

    @Benchmark
    public DpsReply register() {
        int i = next;
        next = (next + 1) % DEVICES;
        DpsReply reply = dps.register(ids.get(i), List.of(parse(chains.get(i)[0]), parse(chains.get(i)[1])), bodies.get(i));
        if (reply.status() != 202) {
            throw new IllegalStateException("DPS answered " + reply.status());
        }
        return reply;
    }

    @Benchmark
    public List<X509Certificate> baselineParseChain() {
        int i = next;
        next = (next + 1) % DEVICES;
        return List.of(parse(chains.get(i)[0]), parse(chains.get(i)[1]));
    }

    private X509Certificate parse(byte[] der) {
        try {
            return (X509Certificate) x509.generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    @Benchmark
    public boolean baselineVerifyOneSignatureBouncyCastle() throws Exception {
        Signature s = Signature.getInstance(leaf.getSigAlgName(), BOUNCY_CASTLE);
        s.initVerify(issuer.getPublicKey());
        s.update(leaf.getTBSCertificate());
        return s.verify(leaf.getSignature());
    }

    @Benchmark
    public boolean baselineVerifyOneSignature() throws Exception {
        Signature s = Signature.getInstance(leaf.getSigAlgName());
        s.initVerify(issuer.getPublicKey());
        s.update(leaf.getTBSCertificate());
        return s.verify(leaf.getSignature());
    }
}

package io.fleetkit.bench;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.security.Provider;
import java.security.Security;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Issuing one device identity (key pair + certificate signed by the intermediate CA), with the
 * provider fleetkit uses (BouncyCastle) against the JDK's own providers as the baseline, in the
 * same run. Single-threaded; a factory batch runs one of these per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeviceCertificateBenchmark {
    @Param({"bouncycastle", "jdk"})
    public String provider;

    @Param({"EC_P256"})
    public KeyAlgorithm key;

    private CertificateIssuer issuer;
    private Credential intermediate;
    private final RegistrationId id = RegistrationId.of("bench-00001");

    @Setup
    public void setUp() {
        Provider p = provider.equals("jdk") ? Security.getProvider("SunEC") : new org.bouncycastle.jce.provider.BouncyCastleProvider();
        issuer = new CertificateIssuer(Clock.systemUTC(), p);
        intermediate = issuer.createIntermediate(issuer.createRoot("bench root"), "bench intermediate");
    }

    @Benchmark
    public DeviceIdentity issueDevice() {
        return issuer.issueDevice(intermediate, id, key);
    }
}

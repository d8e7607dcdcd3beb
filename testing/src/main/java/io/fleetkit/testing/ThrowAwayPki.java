package io.fleetkit.testing;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A factory PKI made for one test and deleted after it: root CA → intermediate CA → a server certificate for
 * {@code 127.0.0.1} and {@code localhost}, and device identities (EC P-256, CN = registration id) issued on demand.
 *
 * <p>Ask for one as a parameter; the {@link Extension} makes it. In a {@code @BeforeAll} method (or the constructor with
 * {@code @TestInstance(PER_CLASS)}) it lives for the test class, in {@code @BeforeEach} and test methods for that test:
 * <pre>
 * &#64;ExtendWith(ThrowAwayPki.Extension.class)
 * class MyIT {
 *     &#64;BeforeAll
 *     static void start(ThrowAwayPki pki) { hub = EmbeddedHub.builder(pki.directory()).port(0).start(); }
 * }
 * </pre>
 */
public final class ThrowAwayPki implements AutoCloseable {
    private final Path dir;
    private final CertificateIssuer issuer = new CertificateIssuer();
    private final PkiDirectory pki;

    /** Makes a PKI in {@code dir} (which it owns: it is deleted on {@link #close()}). */
    public ThrowAwayPki(Path dir) {
        this.dir = dir;
        this.pki = PkiDirectory.init(dir.resolve("pki"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
    }

    /** A throw-away PKI in a new temporary directory. */
    public static ThrowAwayPki create() {
        try {
            return new ThrowAwayPki(Files.createTempDirectory("fleetkit-pki-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for a PKI", e);
        }
    }

    /** The PKI as {@code fleetkit pki init} lays it out: what a hub, DPS and devices are given. */
    public PkiDirectory directory() {
        return pki;
    }

    /** The issuer that made it, for identities a test shapes itself (another key algorithm, a past validity). */
    public CertificateIssuer issuer() {
        return issuer;
    }

    /** A device identity issued by the intermediate CA, kept in the PKI's devices directory (as a factory would). */
    public DeviceIdentity device(String registrationId) {
        DeviceIdentity d = issuer.issueDevice(pki.intermediate(), RegistrationId.of(registrationId), KeyAlgorithm.EC_P256);
        pki.store(d);
        return d;
    }

    /** A device identity no enrollment knows: self-signed, not from this PKI's CAs. */
    public DeviceIdentity stranger(String registrationId) {
        return issuer.selfSignedDevice(RegistrationId.of(registrationId), KeyAlgorithm.EC_P256);
    }

    /** A scratch directory beside the PKI, deleted with it (a data directory for a hub, a stream, a store). */
    public Path scratch(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the PKI and every scratch directory. */
    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not a test failure
        }
    }

    /**
     * Resolves {@link ThrowAwayPki} parameters: one per test class when asked for in a class-level method, one per test
     * otherwise (a {@code @BeforeEach} and its test share it); each is deleted when its scope ends.
     */
    public static final class Extension implements org.junit.jupiter.api.extension.ParameterResolver {
        private static final org.junit.jupiter.api.extension.ExtensionContext.Namespace NAMESPACE =
                org.junit.jupiter.api.extension.ExtensionContext.Namespace.create(ThrowAwayPki.class);

        @Override
        public boolean supportsParameter(org.junit.jupiter.api.extension.ParameterContext parameter,
                                         org.junit.jupiter.api.extension.ExtensionContext context) {
            return parameter.getParameter().getType() == ThrowAwayPki.class;
        }

        @Override
        public Object resolveParameter(org.junit.jupiter.api.extension.ParameterContext parameter,
                                       org.junit.jupiter.api.extension.ExtensionContext context) {
            // keyed by the context itself: a store also finds its parents' values, and a test must not get its class's PKI;
            // the store closes what is AutoCloseable when its scope ends
            return context.getStore(NAMESPACE).getOrComputeIfAbsent(context.getUniqueId(), k -> create(), ThrowAwayPki.class);
        }
    }

    /** {@code @ExtendWith(ThrowAwayPki.Extension.class)}, shorter. */
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @ExtendWith(Extension.class)
    public @interface Use {
    }
}

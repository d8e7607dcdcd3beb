package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A local PKI on disk, in the layout every fleetkit command shares:
 * <pre>
 * root-ca.pem, root-ca.key                   self-signed root CA
 * intermediate-ca.pem, intermediate-ca.key   signs devices and the server (chain: intermediate, root)
 * server.pem, server.key                     TLS server certificate (chain: server, intermediate)
 * devices/{id}.pem, devices/{id}.key         device certificate (chain: leaf, intermediate), PKCS#8 key
 * </pre>
 * Keys are written readable by the owner only. Thread-safe for storing and loading devices.
 */
public final class PkiDirectory {
    public static final String ROOT = "root-ca";
    public static final String INTERMEDIATE = "intermediate-ca";
    public static final String SERVER = "server";
    public static final String DEVICES = "devices";
    public static final List<String> DEFAULT_SERVER_SANS = List.of("127.0.0.1", "localhost");

    private final Path dir;
    private final Credential root;
    private final Credential intermediate;
    private final Credential server;

    private PkiDirectory(Path dir, Credential root, Credential intermediate, Credential server) {
        this.dir = dir;
        this.root = root;
        this.intermediate = intermediate;
        this.server = server;
    }

    /** Whether {@code dir} already holds a PKI (its root CA certificate). */
    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(ROOT + ".pem"));
    }

    /**
     * Creates a root CA, an intermediate CA and a server certificate in {@code dir}.
     *
     * @throws IllegalStateException when {@code dir} already holds a PKI (nothing is overwritten)
     */
    public static PkiDirectory init(Path dir, List<String> serverSans, CertificateIssuer issuer) {
        if (exists(dir)) {
            throw new IllegalStateException(dir + " already holds a PKI (" + ROOT + ".pem); load it, or choose an empty directory");
        }
        Credential root = issuer.createRoot("fleetkit root CA");
        Credential intermediate = issuer.createIntermediate(root, "fleetkit intermediate CA");
        Credential server = issuer.issueServer(intermediate, serverSans.get(0), serverSans);
        PkiDirectory pki = new PkiDirectory(dir, root, intermediate, server);
        try {
            Files.createDirectories(dir.resolve(DEVICES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.resolve(DEVICES) + ": " + e.getMessage(), e);
        }
        pki.write(ROOT, root.key(), List.of(root.certificate()));
        pki.write(INTERMEDIATE, intermediate.key(), List.of(intermediate.certificate()));
        pki.write(SERVER, server.key(), server.chain());
        return pki;
    }

    /**
     * Loads the CAs and the server credential of an existing PKI.
     *
     * @throws IllegalArgumentException naming the missing or unreadable file
     */
    public static PkiDirectory load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such directory; create a PKI with 'fleetkit pki init --dir " + dir + "'");
        }
        if (!exists(dir)) {
            throw new IllegalArgumentException(dir + ": holds no PKI (no " + ROOT + ".pem); create one with 'fleetkit pki init --dir " + dir + "'");
        }
        Credential root = read(dir, ROOT);
        Credential intermediate = read(dir, INTERMEDIATE);
        Credential server = read(dir, SERVER);
        return new PkiDirectory(dir, root, new Credential(intermediate.key(), List.of(intermediate.certificate(), root.certificate())), server);
    }

    public Path dir() {
        return dir;
    }

    public Credential root() {
        return root;
    }

    /** The intermediate CA; its chain is intermediate, root. */
    public Credential intermediate() {
        return intermediate;
    }

    public Credential server() {
        return server;
    }

    /** What devices and the server trust: the root CA. */
    public List<X509Certificate> trustAnchors() {
        return List.of(root.certificate());
    }

    public Path devicesDir() {
        return dir.resolve(DEVICES);
    }

    /** Writes {@code devices/{id}.pem} (leaf, intermediate) and {@code devices/{id}.key}. */
    public void store(DeviceIdentity device) {
        write(DEVICES + "/" + device.registrationId().value(), device.credential().key(), device.credential().chain());
    }

    /**
     * @throws IllegalArgumentException when the device's files are missing or do not match
     */
    public DeviceIdentity loadDevice(RegistrationId id) {
        Path pem = devicesDir().resolve(id.value() + ".pem");
        if (!Files.exists(pem)) {
            throw new IllegalArgumentException("no device '" + id.value() + "' in " + devicesDir()
                    + "; issue it with 'fleetkit pki issue --dir " + dir + "'");
        }
        return new DeviceIdentity(id, read(dir, DEVICES + "/" + id.value()));
    }

    /** The ids of all devices stored here, sorted. */
    public List<RegistrationId> deviceIds() {
        if (!Files.isDirectory(devicesDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(devicesDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pem"))
                    .map(n -> RegistrationId.of(n.substring(0, n.length() - 4)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + devicesDir() + ": " + e.getMessage(), e);
        }
    }

    private static Credential read(Path dir, String base) {
        Path pem = dir.resolve(base + ".pem");
        Path key = dir.resolve(base + ".key");
        try {
            return new Credential(Pem.readPrivateKey(key), Pem.readCertificates(pem));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw new IllegalArgumentException(e.getCause().getMessage() + ": missing; the PKI in " + dir + " is incomplete", e);
            }
            throw e;
        }
    }

    private void write(String base, java.security.PrivateKey key, List<X509Certificate> chain) {
        Path pem = dir.resolve(base + ".pem");
        Path keyFile = dir.resolve(base + ".key");
        try {
            Files.writeString(pem, Pem.certificates(chain), StandardCharsets.US_ASCII);
            PrivateFiles.write(keyFile, Pem.privateKey(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pem + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PkiDirectory[" + Objects.toString(dir) + "]";
    }
}

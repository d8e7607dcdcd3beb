package io.fleetkit.bench.load;

import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a bench run keeps its things: the PKI every system trusts (made once, reused), the device
 * identities (issued in memory for each run: faster than reading thousands of files), the peers'
 * key stores, each server's scratch directory and log, and the results.
 */
final class BenchWorkspace {
    static final String DEVICE_PREFIX = "bench-";
    static final String STORE_PASSWORD = "fleetkit-bench";

    private final Path dir;
    private final PkiDirectory pki;
    private final PrintWriter progress;
    private final boolean jfr;
    private final List<String> extraJvmOptions;
    private final ProductionEngines engines;
    private List<DeviceIdentity> identities = List.of();

    BenchWorkspace(Path dir, PrintWriter progress, boolean jfr, List<String> extraJvmOptions, ProductionEngines engines) {
        this.dir = dir;
        this.engines = engines;
        this.progress = progress;
        this.jfr = jfr;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        Path pkiDir = dir.resolve("pki");
        this.pki = PkiDirectory.exists(pkiDir) ? PkiDirectory.load(pkiDir)
                : PkiDirectory.init(pkiDir, PkiDirectory.DEFAULT_SERVER_SANS, new CertificateIssuer());
    }

    Path dir() {
        return dir;
    }

    /** The broker and database of {@code fleetkit-kafka}. */
    ProductionEngines engines() {
        return engines;
    }

    PkiDirectory pki() {
        return pki;
    }

    /** The first {@code count} bench devices ({@code bench-00001} …), issued under the PKI's intermediate CA. */
    List<DeviceIdentity> identities(int count) {
        if (identities.size() < count) {
            long start = System.nanoTime();
            progress.printf("issuing %d device certificates …%n", count);
            progress.flush();
            identities = FactoryBatch.issueAll(pki.intermediate(), FactoryBatch.ids(DEVICE_PREFIX, 1, count));
            progress.printf("  done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            progress.flush();
        }
        return identities.subList(0, count);
    }

    /** A fresh scratch directory for one server process. */
    Path scratch(String name) {
        Path d = dir.resolve("run").resolve(name + "-" + System.nanoTime());
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + d + ": " + e.getMessage(), e);
        }
    }

    void deleteScratch() {
        Path run = dir.resolve("run");
        if (!Files.exists(run)) {
            return;
        }
        try (Stream<Path> all = Files.walk(run)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            progress.println("could not clean " + run + ": " + e.getMessage());
        }
    }

    /** JVM options for a server: those asked for, and a JFR recording when asked for, written when the server stops. */
    List<String> serverJvmOptions(String name) {
        if (!jfr) {
            return extraJvmOptions;
        }
        Path file = dir.resolve("profiles").resolve(name + "-" + System.currentTimeMillis() + ".jfr").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        progress.printf("profiling %s into %s%n", name, file);
        List<String> options = new ArrayList<>(extraJvmOptions);
        options.add("-XX:StartFlightRecording:filename=" + file + ",settings=profile,dumponexit=true");
        return options;
    }

    Path log(String name) {
        return dir.resolve("logs").resolve(name + ".log");
    }

    Path results() {
        return dir.resolve("results");
    }

    /** The server's key and chain as PKCS#12 (for HiveMQ). */
    Path serverKeyStore() {
        return keyStore("server.p12", ks -> ks.setKeyEntry("server", pki.server().key(), STORE_PASSWORD.toCharArray(),
                pki.server().chain().toArray(new Certificate[0])));
    }

    /** The root CA as a PKCS#12 trust store (for HiveMQ). */
    Path trustStore() {
        return keyStore("trust.p12", ks -> ks.setCertificateEntry("root", pki.root().certificate()));
    }

    private interface Filler {
        void fill(KeyStore ks) throws Exception;
    }

    private Path keyStore(String name, Filler filler) {
        Path file = dir.resolve(name);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            filler.fill(ks);
            try (OutputStream out = Files.newOutputStream(file)) {
                ks.store(out, STORE_PASSWORD.toCharArray());
            }
            return file;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The fleetkit checkout this command runs from: where the peers' jars are built ({@code benchmarks/peers/}). Found above
     * the harness's jar or classes (a checkout's {@code cli/target/lib}, {@code benchmarks/target/classes}), else above the
     * working directory (a jar from the local Maven repository).
     */
    static Path home() {
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(BenchWorkspace.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException e) {
            // the working directory may still lead there
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("benchmarks/peers"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find the fleetkit checkout (with its benchmarks/peers/ directory) above this command's jar"
                + " or the working directory");
    }
}

package io.fleetkit.cli;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Certificates;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code fleetkit demo}: the quick start. For now it runs the factory end to end; the hub, DPS,
 * the swarm and the dashboard join it as their issues land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The quick start, on embedded defaults. Data lives under --data; a second run reuses it.",
                "Today it runs the factory: a PKI, a batch of device identities, every chain checked,",
                "and a TLS handshake with client authentication between a device and the server.",
                "The local hub, DPS, a swarm and the dashboard join this command as they arrive."})
final class DemoCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "fleetkit-data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "100", description = "devices in the factory batch (default: ${DEFAULT-VALUE})")
    int devices;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        if (devices < 1 || devices > 100_000) {
            throw new CommandLine.ParameterException(cli, "--devices must be 1–100000, was " + devices);
        }
        PrintWriter out = cli.getOut();
        Path dir = data.resolve("pki");
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki;
        if (PkiDirectory.exists(dir)) {
            pki = PkiDirectory.load(dir);
            out.println("reusing the PKI in " + dir);
        } else {
            pki = PkiDirectory.init(dir, PkiDirectory.DEFAULT_SERVER_SANS, issuer);
            out.println("created a PKI in " + dir);
        }

        List<RegistrationId> wanted = FactoryBatch.ids("dev-", 1, devices);
        java.util.Set<RegistrationId> existing = new java.util.HashSet<>(pki.deviceIds());
        List<RegistrationId> missing = wanted.stream().filter(id -> !existing.contains(id)).toList();
        if (!missing.isEmpty()) {
            FactoryBatch.Stats s = FactoryBatch.issueInto(pki, issuer, missing, KeyAlgorithm.EC_P256,
                    Runtime.getRuntime().availableProcessors(), new Progress(cli.getErr(), "issuing")::update);
            out.printf("issued %d device identities: %.0f certificates/s%n", s.issued(), s.certificatesPerSecond());
        }

        Progress checking = new Progress(cli.getErr(), "checking chains");
        int i = 0;
        for (RegistrationId id : wanted) {
            DeviceIdentity d = pki.loadDevice(id);
            try {
                Certificates.validateChain(d.credential().chain(), pki.trustAnchors(), Instant.now());
            } catch (CertificateException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            checking.update(++i, wanted.size());
        }
        out.printf("%d device certificates chain to the root CA (CN = registration id)%n", wanted.size());

        DeviceIdentity first = pki.loadDevice(wanted.get(0));
        out.println("TLS handshake with client auth: " + handshake(pki, first));
        out.println();
        out.println("The local IoT Hub + DPS, a swarm and the dashboard join 'fleetkit demo' as they arrive (see README).");
    }

    private static String handshake(PkiDirectory pki, DeviceIdentity device) {
        try (SSLServerSocket server = (SSLServerSocket) TlsContexts.forServer(pki.server(), pki.trustAnchors())
                .getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    return Certificates.commonName((X509Certificate) s.getSession().getPeerCertificates()[0]);
                } catch (IOException e) {
                    return "refused (" + e.getMessage() + ")";
                }
            });
            try (SSLSocket client = (SSLSocket) TlsContexts.forDevice(device, pki.trustAnchors()).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                client.startHandshake();
                String protocol = client.getSession().getProtocol();
                return protocol + ", the server saw device '" + seen.get(10, TimeUnit.SECONDS) + "'";
            }
        } catch (Exception e) {
            throw new IllegalStateException("TLS handshake between " + device.registrationId().value() + " and the server failed: "
                    + e.getMessage(), e);
        }
    }
}

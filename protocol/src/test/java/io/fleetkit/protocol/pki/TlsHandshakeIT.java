package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real TLS handshake over loopback between contexts built from one factory PKI, client auth required. */
@Timeout(30)
class TlsHandshakeIT {
    @TempDir
    Path tmp;

    @Test
    void deviceAndServerFromTheSamePkiShakeHandsWithClientAuth() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = PkiDirectory.init(tmp.resolve("pki"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        // stored and loaded back, as every command but the first one sees it
        pki.store(issuer.issueDevice(pki.intermediate(), RegistrationId.of("dev-tls"), KeyAlgorithm.EC_P256));
        DeviceIdentity device = pki.loadDevice(RegistrationId.of("dev-tls"));
        assertThat(device.credential().key().getAlgorithm()).as("JSSE picks keys by the JDK's algorithm names").isEqualTo("EC");

        try (SSLServerSocket server = (SSLServerSocket) TlsContexts.forServer(pki.server(), pki.trustAnchors())
                .getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> acceptOne(server));
            try (SSLSocket client = (SSLSocket) TlsContexts.forDevice(device, pki.trustAnchors())
                    .getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                var params = client.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the server's SAN must name 127.0.0.1
                client.setSSLParameters(params);
                client.startHandshake();
                assertThat(client.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
                X509Certificate serverCert = (X509Certificate) client.getSession().getPeerCertificates()[0];
                assertThat(serverCert).isEqualTo(pki.server().certificate());
                client.getOutputStream().write(1);
                client.getOutputStream().flush();
            }
            assertThat(peer.get(20, TimeUnit.SECONDS)).isEqualTo("dev-tls");
        }
    }

    @Test
    void aDeviceFromAnotherPkiIsRefused() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = PkiDirectory.init(tmp.resolve("a"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        PkiDirectory other = PkiDirectory.init(tmp.resolve("b"), PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        DeviceIdentity stranger = issuer.issueDevice(other.intermediate(), RegistrationId.of("dev-stranger"), KeyAlgorithm.EC_P256);

        try (SSLServerSocket server = (SSLServerSocket) TlsContexts.forServer(pki.server(), pki.trustAnchors())
                .getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> acceptOne(server));
            // the stranger trusts our server's root, so only client authentication can fail
            try (SSLSocket client = (SSLSocket) TlsContexts.forDevice(stranger, pki.trustAnchors())
                    .getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                client.startHandshake();
                client.getOutputStream().write(1);
                client.getOutputStream().flush();
                client.getInputStream().read(); // TLS 1.3 reports the server's refusal on the first read
            } catch (IOException expected) {
                // refused: either side may see the alert first
            }
            assertThat(peer.get(20, TimeUnit.SECONDS)).startsWith("refused:");
        }
        assertThatThrownBy(() -> TlsContexts.forDevice(stranger(issuer, pki), java.util.List.of()))
                .hasMessageContaining("at least one trusted CA");
    }

    private static DeviceIdentity stranger(CertificateIssuer issuer, PkiDirectory pki) {
        return issuer.issueDevice(pki.intermediate(), RegistrationId.of("dev-y"), KeyAlgorithm.EC_P256);
    }

    private static String acceptOne(SSLServerSocket server) {
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.startHandshake();
            s.getInputStream().read();
            return Certificates.commonName((X509Certificate) s.getSession().getPeerCertificates()[0]);
        } catch (SSLHandshakeException e) {
            return "refused: " + e.getMessage();
        } catch (IOException e) {
            return "refused: " + e;
        }
    }
}

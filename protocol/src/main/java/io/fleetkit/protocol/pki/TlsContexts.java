package io.fleetkit.protocol.pki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * JDK {@link SSLContext}s from PKI material: a device's (its key and chain, trusting the CA that
 * signed the server) and a server's (its key and chain, trusting the CAs that sign clients).
 * Client authentication is switched on where the engine is made
 * ({@code SSLEngine.setNeedClientAuth(true)}); the Netty gateway builds its own contexts from
 * the same {@link Credential}s.
 */
public final class TlsContexts {
    private static final char[] TRANSIENT = "fleetkit".toCharArray();

    private TlsContexts() {
    }

    public static SSLContext forDevice(DeviceIdentity device, Collection<X509Certificate> serverTrust) {
        return create(device.credential(), serverTrust);
    }

    public static SSLContext forServer(Credential server, Collection<X509Certificate> clientTrust) {
        return create(server, clientTrust);
    }

    /** A client that presents no certificate and trusts {@code serverTrust}: an HTTPS client of the hub's service API. */
    public static SSLContext forClient(Collection<X509Certificate> serverTrust) {
        return create(null, serverTrust);
    }

    private static SSLContext create(Credential own, Collection<X509Certificate> trust) {
        if (trust.isEmpty()) {
            throw new IllegalArgumentException("trust: at least one trusted CA certificate is needed");
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            if (own != null) {
                kmf.init(Pkcs12.keyStore(own, "own", TRANSIENT), TRANSIENT);
            }
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            int i = 0;
            for (X509Certificate c : trust) {
                trustStore.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(own == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not build an SSLContext for '" + (own == null ? "a client" : own.commonName()) + "': "
                    + e.getMessage(), e);
        }
    }
}

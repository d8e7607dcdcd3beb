package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.pki.Credential;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;

/**
 * The gateway's TLS: TLS 1.3 and 1.2, a client certificate required, OpenSSL (BoringSSL via
 * netty-tcnative) when it loads and the JDK's engine otherwise.
 *
 * <p>The TLS layer requires a certificate but does not judge it: which CAs and individual
 * certificates are trusted changes with the enrollments at run time, and a refusal must reach
 * the device as a CONNACK code, not a TLS alert. {@link ConnectHandler} checks the chain.
 */
final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private ServerTls() {
    }

    static SslContext context(Credential server) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            SslContext ctx = SslContextBuilder.forServer(server.key(), server.chain().toArray(new X509Certificate[0]))
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
            LOG.info("TLS engine: {}", provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")"
                    : "JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")");
            return ctx;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the server TLS context: " + e.getMessage(), e);
        }
    }
}

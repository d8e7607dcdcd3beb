package io.fleetkit.firmware.netty;

import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TLS side of a swarm: one client context trusting the hub's CA, with a
 * {@link DeviceKeyManager} so that every connection presents its own device's certificate.
 */
public final class SwarmTls {
    private final DeviceKeyManager keys = new DeviceKeyManager();
    private final SslContext context;
    private final Map<String, Integer> sessionKeys = new ConcurrentHashMap<>();
    private final AtomicInteger nextSessionKey = new AtomicInteger(1);

    public SwarmTls(Collection<X509Certificate> trust) {
        this(trust, OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    /** @param provider OpenSSL when it loads (the default), or the JDK's engine */
    public SwarmTls(Collection<X509Certificate> trust, SslProvider provider) {
        try {
            context = SslContextBuilder.forClient().sslProvider(provider).keyManager(keys)
                    .trustManager(trust.toArray(new X509Certificate[0])).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the swarm's TLS context: " + e.getMessage(), e);
        }
    }

    public void register(DeviceIdentity device) {
        keys.register(device);
        sessionKeys.computeIfAbsent(device.deviceId().value(), k -> nextSessionKey.getAndIncrement());
    }

    /** A TLS handler for one connection of {@code deviceId}, verifying the server's name. */
    SslHandler newHandler(ByteBufAllocator alloc, String host, int port, String deviceId) {
        // The JDK caches client sessions by (peer host, peer port) and offers them for resumption.
        // All devices share this context and dial the same hub, so a device could resume another
        // device's session and be seen as that device. The "port" given to the engine is only that
        // cache key (the socket's real port comes from the bootstrap; host-name checks use the host):
        // a number unique to the device keeps each device to its own sessions.
        Integer sessionKey = sessionKeys.get(deviceId);
        if (sessionKey == null) {
            throw new IllegalStateException("device " + deviceId + " was not registered with the swarm's TLS");
        }
        SslHandler h = context.newHandler(alloc, host, sessionKey);
        var params = h.engine().getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        h.engine().setSSLParameters(params);
        keys.bind(h.engine(), deviceId);
        h.handshakeFuture().addListener(f -> keys.unbind(h.engine()));
        return h;
    }
}

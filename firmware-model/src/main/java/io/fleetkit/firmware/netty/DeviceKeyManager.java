package io.fleetkit.firmware.netty;

import io.fleetkit.protocol.pki.DeviceIdentity;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One key manager for a whole swarm: each TLS engine is tagged with the device it belongs to,
 * and the handshake picks that device's key and chain. One {@code SSLContext} then serves
 * thousands of devices, instead of one context (tens of kilobytes) per device. Thread-safe.
 */
final class DeviceKeyManager extends X509ExtendedKeyManager {
    private final Map<String, DeviceIdentity> devices = new ConcurrentHashMap<>();
    private final Map<SSLEngine, String> engines = new ConcurrentHashMap<>();

    void register(DeviceIdentity identity) {
        devices.put(identity.deviceId().value(), identity);
    }

    /** Ties an engine to a device until the connection closes. */
    void bind(SSLEngine engine, String deviceId) {
        engines.put(engine, deviceId);
    }

    void unbind(SSLEngine engine) {
        engines.remove(engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return engines.get(engine);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        DeviceIdentity d = alias == null ? null : devices.get(alias);
        return d == null ? null : d.credential().chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        DeviceIdentity d = alias == null ? null : devices.get(alias);
        return d == null ? null : d.credential().key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return devices.keySet().toArray(new String[0]);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}

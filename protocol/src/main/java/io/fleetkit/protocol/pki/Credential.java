package io.fleetkit.protocol.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key and its certificate chain, leaf first (a device: leaf and intermediate CA; a
 * CA: its own certificate).
 */
public record Credential(PrivateKey key, List<X509Certificate> chain) {
    public Credential {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: needs at least the leaf certificate");
        }
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The CN of the leaf's subject. */
    public String commonName() {
        return Certificates.commonName(certificate());
    }
}

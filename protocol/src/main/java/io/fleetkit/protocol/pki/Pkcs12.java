package io.fleetkit.protocol.pki;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** PKCS#12 files (a key and its chain under one alias), for tools that want a keystore. */
public final class Pkcs12 {
    private Pkcs12() {
    }

    public static byte[] write(Credential credential, String alias, char[] password) {
        try {
            KeyStore ks = keyStore(credential, alias, password);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("PKCS#12 encoding failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the first key entry.
     *
     * @throws IllegalArgumentException naming {@code source} for a wrong password or a file without a key
     */
    public static Credential read(byte[] bytes, char[] password, String source) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, password);
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : ks.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    return new Credential((PrivateKey) key, chain);
                }
            }
            throw new IllegalArgumentException(source + ": holds no private key entry");
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a PKCS#12 file, or the password is wrong: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": unreadable PKCS#12: " + e.getMessage(), e);
        }
    }

    /** An in-memory PKCS#12 key store holding one key entry. */
    public static KeyStore keyStore(Credential credential, String alias, char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, credential.key(), password, credential.chain().toArray(new Certificate[0]));
        return ks;
    }
}

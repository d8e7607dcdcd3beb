package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Presence;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Signs and verifies the proof in a {@link Presence} message: the device signs
 * {@link Presence#signedContent} with its key; the backend verifies with the device certificate.
 */
public final class PresenceSignatures {
    private PresenceSignatures() {
    }

    public static byte[] sign(PrivateKey deviceKey, DeviceId deviceId, String nonce) {
        try {
            Signature s = Signature.getInstance(KeyAlgorithm.of(deviceKey).signatureAlgorithm());
            s.initSign(deviceKey);
            s.update(Presence.signedContent(deviceId, nonce));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing presence failed: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is the device's signature over this device id and nonce. */
    public static boolean verify(X509Certificate deviceCertificate, DeviceId deviceId, String nonce, byte[] signature) {
        String algorithm = deviceCertificate.getPublicKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(deviceCertificate.getPublicKey());
            s.update(Presence.signedContent(deviceId, nonce));
            return s.verify(signature);
        } catch (java.security.SignatureException malformed) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("verifying presence failed: " + e.getMessage(), e);
        }
    }
}

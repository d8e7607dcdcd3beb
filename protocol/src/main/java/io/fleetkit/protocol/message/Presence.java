package io.fleetkit.protocol.message;

import io.fleetkit.protocol.id.DeviceId;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Proof that someone pressed the device's button during an ownership claim: the claim's nonce
 * and a signature over {@link #signedContent(DeviceId, String)} made with the device's private
 * key (SHA256withECDSA, DER-encoded, for the default EC P-256 keys; SHA256withRSA for RSA keys).
 * The backend verifies it against the device certificate.
 *
 * @param nonce     the nonce the backend sent with {@code startClaim}
 * @param signature the signature bytes (base64 in JSON, a byte string in CBOR)
 */
public record Presence(long seq, Instant ts, String nonce, byte[] signature) implements DeviceMessage {
    public static final int NONCE_MIN = 16;
    public static final int NONCE_MAX = 128;
    public static final String NONCE_PATTERN = "[A-Za-z0-9_-]+";
    public static final int SIGNATURE_MAX = 512;

    public Presence {
        Messages.checkSeq(seq);
        Objects.requireNonNull(ts, "ts");
        checkNonce(nonce);
        Objects.requireNonNull(signature, "signature");
        if (signature.length == 0 || signature.length > SIGNATURE_MAX) {
            throw new IllegalArgumentException("signature: must be 1–" + SIGNATURE_MAX + " bytes, was " + signature.length);
        }
        signature = signature.clone();
    }

    /** Checks a claim nonce: 16–128 base64url characters. */
    public static String checkNonce(String nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length() < NONCE_MIN || nonce.length() > NONCE_MAX || !nonce.matches(NONCE_PATTERN)) {
            throw new IllegalArgumentException("nonce: must be " + NONCE_MIN + "–" + NONCE_MAX
                    + " base64url characters (A–Z a–z 0–9 _ -), was '" + nonce + "'");
        }
        return nonce;
    }

    /**
     * The bytes a device signs to prove presence: UTF-8 of
     * {@code "fleetkit-presence/v1\n" + deviceId + "\n" + nonce}. Binding the device id stops a
     * signature from one device being replayed for another.
     */
    public static byte[] signedContent(DeviceId deviceId, String nonce) {
        return ("fleetkit-presence/v1\n" + deviceId.value() + "\n" + checkNonce(nonce)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.PRESENCE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Presence p && seq == p.seq && ts.equals(p.ts) && nonce.equals(p.nonce)
                && Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, ts, nonce, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "Presence[seq=" + seq + ", ts=" + ts + ", nonce=" + nonce + ", signature=" + signature.length + " bytes]";
    }
}

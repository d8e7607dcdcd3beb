package io.fleetkit.protocol.spec;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * ECDSA P-256 / SHA-256 with RFC 6979 deterministic nonces, so that the golden vectors hold a
 * signature that is the same on every regeneration. The key is the published test key of
 * RFC 6979 appendix A.2.5: never a real device's.
 */
final class DeterministicSigner {
    /** RFC 6979 A.2.5 private key x. */
    static final BigInteger TEST_KEY = new BigInteger("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16);
    /** Its public point, uncompressed: 04 ‖ Ux ‖ Uy. */
    static final String TEST_PUBLIC_KEY_HEX = "04"
            + "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
            + "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

    private DeterministicSigner() {
    }

    /** The DER-encoded signature (SEQUENCE of r, s) over SHA-256 of {@code content}. */
    static byte[] sign(byte[] content) {
        X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
        ECDomainParameters domain = new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(TEST_KEY, domain));
        BigInteger[] rs = signer.generateSignature(sha256(content));
        try {
            return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[]{new ASN1Integer(rs[0]), new ASN1Integer(rs[1])}).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.fleetkit.backend.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.fleetkit.protocol.pki.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A stand-in identity provider for local work: an ES256 key that mints tokens for any user
 * (optionally operators) and publishes the matching JWKS. Never for production.
 */
public final class DevTokenIssuer {
    public static final String ISSUER = "https://fleetkit.local/dev-issuer";
    public static final String AUDIENCE = "fleetkit-api";

    private final ECKey key;

    public DevTokenIssuer(ECKey key) {
        this.key = key;
    }

    public static DevTokenIssuer generate() {
        try {
            return new DevTokenIssuer(new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    /**
     * The issuer whose key is kept in {@code file} (a private JWK), made and saved (owner-only)
     * on first use, so that {@code fleetkit token} and {@code fleetkit serve} share it.
     *
     * @throws IllegalArgumentException when the file exists but holds no P-256 private JWK
     */
    public static DevTokenIssuer loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                JWK jwk;
                try {
                    jwk = JWK.parse(Files.readString(file));
                } catch (ParseException e) {
                    throw new IllegalArgumentException(file + ": not a JSON Web Key: " + e.getMessage(), e);
                }
                if (!(jwk instanceof ECKey ec) || !ec.isPrivate()) {
                    throw new IllegalArgumentException(file + ": not an EC private key (delete it to make a new dev issuer)");
                }
                return new DevTokenIssuer(ec);
            }
            DevTokenIssuer made = generate();
            Files.createDirectories(file.toAbsolutePath().getParent());
            PrivateFiles.write(file, made.privateJwk());
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the dev issuer key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The public keys, as served at the JWKS endpoint. */
    public JWKSet publicKeys() {
        return new JWKSet(key.toPublicJWK());
    }

    /** The private key (JWK JSON), for keeping the issuer across restarts. */
    public String privateJwk() {
        return key.toJSONString();
    }

    public String mint(String userId, boolean operator, Duration validity) {
        return mint(userId, operator, ISSUER, AUDIENCE, Instant.now().plus(validity));
    }

    /** Mints a token with the given issuer, audience and expiry (tests use this for wrong ones). */
    public String mint(String userId, boolean operator, String issuer, String audience, Instant expiry) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(userId).issuer(issuer).audience(audience)
                .issueTime(new Date()).expirationTime(Date.from(expiry)).jwtID(UUID.randomUUID().toString());
        if (operator) {
            claims.claim("scope", Caller.ADMIN_SCOPE);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }
}

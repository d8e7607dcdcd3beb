package io.fleetkit.backend.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.text.ParseException;
import java.util.Set;

/**
 * Checks a request's {@code Authorization: Bearer …} JWT against the identity provider's keys
 * (a JWKS): signature (ES256 or RS256), issuer, audience, expiry (60 s clock skew) and a subject.
 * Authentication stays with the identity provider; this only verifies what it signed.
 */
public final class TokenVerifier {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private final String issuer;
    private final String audience;
    private final OperatorClaim operator;
    private final OidcKeys provider;

    public TokenVerifier(JWKSource<SecurityContext> keys, String issuer, String audience, OperatorClaim operator) {
        this.issuer = issuer;
        this.audience = audience;
        this.operator = java.util.Objects.requireNonNull(operator, "operator");
        this.provider = keys instanceof OidcKeys o ? o : null;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.PS256,
                JWSAlgorithm.ES384, JWSAlgorithm.RS384), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    /** A verifier for a fixed key set (the dev issuer's, or one loaded from a file); operators by {@code scope=fleet.admin}. */
    public static TokenVerifier forKeys(JWKSet keys, String issuer, String audience) {
        return new TokenVerifier(new ImmutableJWKSet<>(keys), issuer, audience, OperatorClaim.DEFAULT);
    }

    /**
     * A verifier for an OpenID Connect provider's tokens: its keys found by discovery and refreshed when it rotates them
     * ({@link OidcKeys}), its issuer in {@code iss}, {@code audience} in {@code aud}.
     *
     * @throws IllegalArgumentException when the issuer is not a usable URL
     */
    public static TokenVerifier forIssuer(String issuer, String audience, OperatorClaim operator, java.time.Duration minKeyRefresh) {
        OidcKeys keys = new OidcKeys(issuer, minKeyRefresh, java.time.Clock.systemUTC());
        return new TokenVerifier(keys, keys.issuer(), audience, operator);
    }

    /** The identity provider's health when tokens come from one ({@link #forIssuer}); null for a fixed key set. */
    public java.util.function.Supplier<io.fleetkit.backend.health.Health> providerHealth() {
        return provider == null ? null : provider::health;
    }

    /**
     * @param authorization the request's Authorization header, or null
     * @throws AuthenticationException saying what is wrong: missing, not a bearer token, malformed,
     *                                 bad signature, expired, wrong issuer or audience
     */
    public Caller verify(String authorization) throws AuthenticationException {
        if (authorization == null || authorization.isBlank()) {
            throw new AuthenticationException("missing Authorization header (expected 'Bearer <token>')");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AuthenticationException("the Authorization header is not a bearer token (expected 'Bearer <token>')");
        }
        String token = authorization.substring(7).trim();
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new AuthenticationException("malformed token: " + e.getMessage());
        } catch (BadJOSEException e) {
            throw new AuthenticationException("token rejected: " + explain(e.getMessage()));
        } catch (JOSEException e) {
            throw new AuthenticationException("token could not be verified: " + e.getMessage());
        }
        return new Caller(claims.getSubject(), operator.matches(claims));
    }

    /** nimbus's reason, with what was expected where it names a claim. */
    private String explain(String reason) {
        if (reason.contains("aud claim")) {
            return "wrong audience (expected '" + audience + "'): " + reason;
        }
        if (reason.contains("iss claim")) {
            return "wrong issuer (expected '" + issuer + "'): " + reason;
        }
        return reason;
    }
}

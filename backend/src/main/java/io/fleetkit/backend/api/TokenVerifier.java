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
import java.util.Arrays;
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

    public TokenVerifier(JWKSource<SecurityContext> keys, String issuer, String audience) {
        this.issuer = issuer;
        this.audience = audience;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    /** A verifier for a fixed key set (the dev issuer's, or one loaded from a file). */
    public static TokenVerifier forKeys(JWKSet keys, String issuer, String audience) {
        return new TokenVerifier(new ImmutableJWKSet<>(keys), issuer, audience);
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
        return new Caller(claims.getSubject(), scopes(claims).contains(Caller.ADMIN_SCOPE));
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

    private static Set<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        return scope instanceof String s ? Set.copyOf(Arrays.asList(s.trim().split("\\s+"))) : Set.of();
    }
}

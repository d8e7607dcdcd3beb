package io.fleetkit.backend.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTest {
    private final DevTokenIssuer issuer = DevTokenIssuer.generate();
    private final TokenVerifier verifier = TokenVerifier.forKeys(issuer.publicKeys(), DevTokenIssuer.ISSUER, DevTokenIssuer.AUDIENCE);

    @Test
    void aValidTokenNamesTheUserAndOnlyTheAdminScopeMakesAnOperator() throws Exception {
        assertThat(verifier.verify("Bearer " + issuer.mint("alice", false, Duration.ofMinutes(5)))).isEqualTo(new Caller("alice", false));
        assertThat(verifier.verify("bearer " + issuer.mint("ops", true, Duration.ofMinutes(5)))).isEqualTo(new Caller("ops", true));
    }

    @Test
    void aMissingOrNonBearerHeaderIsRefused() {
        assertThatThrownBy(() -> verifier.verify(null)).isInstanceOf(AuthenticationException.class).hasMessageContaining("missing Authorization");
        assertThatThrownBy(() -> verifier.verify("Basic YWxpY2U6cA==")).hasMessageContaining("not a bearer token");
    }

    @Test
    void aMalformedTokenIsRefused() {
        assertThatThrownBy(() -> verifier.verify("Bearer not.a.jwt")).isInstanceOf(AuthenticationException.class).hasMessageContaining("malformed token");
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheClockSkew() {
        String expired = issuer.mint("alice", false, DevTokenIssuer.ISSUER, DevTokenIssuer.AUDIENCE, Instant.now().minusSeconds(120));
        assertThatThrownBy(() -> verifier.verify("Bearer " + expired)).hasMessageContaining("Expired JWT");
    }

    @Test
    void aWrongAudienceOrIssuerIsRefused() {
        String otherAudience = issuer.mint("alice", false, DevTokenIssuer.ISSUER, "another-api", Instant.now().plusSeconds(300));
        assertThatThrownBy(() -> verifier.verify("Bearer " + otherAudience)).hasMessageContaining("aud claim rejected");
        String otherIssuer = issuer.mint("alice", false, "https://evil.example", DevTokenIssuer.AUDIENCE, Instant.now().plusSeconds(300));
        assertThatThrownBy(() -> verifier.verify("Bearer " + otherIssuer)).hasMessageContaining("iss");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        String forged = DevTokenIssuer.generate().mint("alice", true, Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifier.verify("Bearer " + forged)).isInstanceOf(AuthenticationException.class).hasMessageContaining("token rejected");
    }
}

package io.fleetkit.backend.api;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.TestOidcProvider;
import io.fleetkit.testing.Eventually;
import io.fleetkit.testing.ThrowAwayPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Outsourced authentication against a real OpenID Connect provider process (oauth2-mock-server): its tokens accepted, an
 * operator by a claim of the company's choosing, a rotated key picked up without a restart, and each bad token — wrong
 * audience, expired, signed by a key the provider never published, from a provider that is down — refused with 401 and
 * the reason.
 */
@ThrowAwayPki.Use
class OidcIT {
    private static final String AUDIENCE = "fleetkit-api";
    @TempDir
    static Path tmp;
    static TestOidcProvider idp;
    static Backend backend;
    static ApiClient api;

    @BeforeAll
    static void start(ThrowAwayPki pki) {
        idp = TestOidcProvider.start();
        backend = Backend.builder(pki.directory(), tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0)
                .tokens(TokenVerifier.forIssuer(idp.issuer(), AUDIENCE, OperatorClaim.parse("roles=fleet-operator"), Duration.ofSeconds(1)))
                .start();
        api = new ApiClient(backend.httpPort());
    }

    @AfterAll
    static void stop() {
        backend.close();
        idp.close();
    }

    @Test
    void theProvidersTokensAreAcceptedAndTheOperatorClaimDecidesWhoIsOne() {
        String alice = idp.token(null, 300, Map.of("sub", "alice", "aud", AUDIENCE));
        String ops = idp.token(null, 300, Map.of("sub", "ops", "aud", AUDIENCE, "roles", List.of("fleet-operator")));
        assertThat(api.get("/api/v1/devices", alice).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/provisioning", alice).status()).as("a user is not an operator").isEqualTo(403);
        assertThat(api.get("/api/v1/provisioning", ops).status()).isEqualTo(200);
        String scoped = idp.token(null, 300, Map.of("sub", "bob", "aud", AUDIENCE, "scope", "fleet.admin"));
        assertThat(api.get("/api/v1/provisioning", scoped).status()).as("the claim is roles here, not scope").isEqualTo(403);
        ApiClient.Response health = api.get("/healthz", null);
        assertThat(health.json().at("/checks/identity-provider").asText()).isEqualTo("UP");
    }

    @Test
    void badTokensAreRefusedWithTheReason() throws Exception {
        refused(idp.token(null, 300, Map.of("sub", "alice", "aud", "someone-else")), "wrong audience (expected 'fleetkit-api')");
        refused(idp.token(null, -300, Map.of("sub", "alice", "aud", AUDIENCE)), "Expired JWT");
        refused(idp.token(null, 300, Map.of("sub", "alice", "aud", AUDIENCE, "iss", "https://other.example")), "wrong issuer");

        RSAKey stranger = new RSAKeyGenerator(2048).keyID("never-published").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("never-published").build(),
                new JWTClaimsSet.Builder().issuer(idp.issuer()).audience(AUDIENCE).subject("mallory")
                        .expirationTime(new Date(System.currentTimeMillis() + 300_000)).build());
        forged.sign(new RSASSASigner(stranger));
        refused(forged.serialize(), "no matching key");
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenFirstNamesIt() {
        assertThat(api.get("/api/v1/devices", idp.token(idp.firstKid(), 300, Map.of("sub", "alice", "aud", AUDIENCE))).status())
                .isEqualTo(200); // the key set is cached now
        String kid = idp.rotate();
        String next = idp.token(kid, 300, Map.of("sub", "alice", "aud", AUDIENCE));
        // the first try may fall inside the one-second rate limit of key-set fetches; a later one fetches the new set
        Eventually.until("a token signed with the rotated key accepted", Duration.ofSeconds(10),
                () -> api.get("/api/v1/devices", next).status() == 200);
    }

    @Test
    void aProviderThatIsDownGives401WithTheReasonInBoundedTime() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        TokenVerifier down = TokenVerifier.forIssuer("http://127.0.0.1:" + closedPort, AUDIENCE, OperatorClaim.DEFAULT, Duration.ofSeconds(1));
        String token = idp.token(null, 300, Map.of("sub", "alice", "aud", AUDIENCE));
        long start = System.nanoTime();
        assertThatThrownBy(() -> down.verify("Bearer " + token)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("could not be discovered at http://127.0.0.1:" + closedPort + "/.well-known/openid-configuration");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> down.verify("Bearer " + token)).as("asked again only after a pause")
                .hasMessageContaining("was not reachable").hasMessageContaining("asked again in");
        assertThat(down.providerHealth().get().up()).isFalse();
    }

    private static void refused(String token, String reason) {
        ApiClient.Response r = api.get("/api/v1/devices", token);
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.json().get("detail").asText()).contains(reason);
    }
}

package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import io.fleetkit.backend.health.Health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The signing keys of an OpenID Connect provider: found through its discovery document
 * ({@code {issuer}/.well-known/openid-configuration} → {@code jwks_uri}, OpenID Connect Discovery 1.0 §4), then fetched and
 * cached by nimbus-jose-jwt's {@link JWKSourceBuilder}: five minutes, fetched again at once for a key id it does not know
 * (the provider rotated its keys) but not more often than the rate limit. Every request to the provider is bounded
 * (2 s to connect, 3 s to read, 256 KB); a provider that cannot be reached makes {@link #get} fail with the reason — the
 * caller answers 401 — and discovery is tried again at most every {@value #RETRY_SECONDS} s. Blocking: call it off event loops.
 */
public final class OidcKeys implements JWKSource<SecurityContext> {
    static final int RETRY_SECONDS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI issuer;
    private final Duration minRefreshInterval;
    private final ResourceRetriever http = new DefaultResourceRetriever(2_000, 3_000, 256 * 1024);
    private final Clock clock;
    private volatile JWKSource<SecurityContext> keys;
    private volatile Health health;
    private Instant nextDiscovery = Instant.MIN;

    /**
     * @param minRefreshInterval the least time between two fetches of the key set (a token with an unknown key id asks for one)
     * @throws IllegalArgumentException when the issuer is not an https URL (or http on this host, for tests and local providers)
     */
    public OidcKeys(String issuer, Duration minRefreshInterval, Clock clock) {
        this.issuer = checkIssuer(issuer);
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
        this.health = Health.down("not discovered yet", clock.instant());
    }

    static URI checkIssuer(String issuer) {
        URI u;
        try {
            u = new URI(issuer);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--oidc-issuer: not a URL: " + e.getMessage());
        }
        if (u.getHost() == null || u.getQuery() != null || u.getFragment() != null) {
            throw new IllegalArgumentException("--oidc-issuer: expected the issuer's URL as its tokens name it (https://host/path), was '" + issuer + "'");
        }
        if ("http".equals(u.getScheme())) {
            boolean local;
            try {
                local = InetAddress.getByName(u.getHost()).isLoopbackAddress();
            } catch (IOException e) {
                local = false;
            }
            if (!local) {
                throw new IllegalArgumentException("--oidc-issuer: plain http only for a provider on this host; use https for '" + u.getHost() + "'");
            }
        } else if (!"https".equals(u.getScheme())) {
            throw new IllegalArgumentException("--oidc-issuer: expected an https URL, was '" + issuer + "'");
        }
        return u;
    }

    /** The issuer as configured: tokens must name exactly this in {@code iss}. */
    public String issuer() {
        return issuer.toString();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSource<SecurityContext> k = keys != null ? keys : discover();
        try {
            List<JWK> found = k.get(selector, context);
            health = Health.ok();
            return found;
        } catch (com.nimbusds.jose.jwk.source.RateLimitReachedException recentlyFetched) {
            // the key set was fetched less than the rate limit ago and had no such key: the provider does not publish it
            return List.of();
        } catch (KeySourceException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            health = Health.down("the keys of " + issuer + " could not be fetched: " + why, clock.instant());
            throw new KeySourceException("the identity provider's keys could not be fetched (" + why + ")", e);
        }
    }

    /**
     * UP when the provider was discovered and the last key fetch worked; DOWN with the provider's error otherwise. Before the
     * first token it discovers the provider (bounded, as every request to it): {@code /healthz} tells whether it can be reached.
     */
    public Health health() {
        if (keys == null) {
            try {
                discover();
                health = Health.ok();
            } catch (KeySourceException e) {
                // health says why
            }
        }
        return health;
    }

    private synchronized JWKSource<SecurityContext> discover() throws KeySourceException {
        if (keys != null) {
            return keys;
        }
        Instant now = clock.instant();
        if (now.isBefore(nextDiscovery)) {
            throw new KeySourceException("the identity provider " + issuer + " was not reachable (" + health.detail() + "); it is asked again in "
                    + Duration.between(now, nextDiscovery).toSeconds() + " s");
        }
        String where = issuer.toString().replaceAll("/+$", "") + "/.well-known/openid-configuration";
        try {
            JsonNode config = JSON.readTree(http.retrieveResource(new URL(where)).getContent());
            String named = config.path("issuer").asText("");
            if (!named.equals(issuer.toString())) {
                throw new IOException("its discovery document names issuer '" + named + "', not '" + issuer + "'");
            }
            String jwks = config.path("jwks_uri").asText("");
            if (jwks.isEmpty()) {
                throw new IOException("its discovery document has no jwks_uri");
            }
            keys = JWKSourceBuilder.create(new URL(jwks), http)
                    .cache(Duration.ofMinutes(5).toMillis(), Duration.ofSeconds(5).toMillis())
                    .refreshAheadCache(false) // no background thread: a fetch happens on a request, bounded as above
                    .rateLimited(minRefreshInterval.toMillis())
                    .retrying(false)
                    .build();
            return keys;
        } catch (IOException | RuntimeException e) {
            nextDiscovery = now.plusSeconds(RETRY_SECONDS);
            health = Health.down(where + ": " + e.getMessage(), now);
            throw new KeySourceException("the identity provider " + issuer + " could not be discovered at " + where + ": " + e.getMessage(), e);
        }
    }
}

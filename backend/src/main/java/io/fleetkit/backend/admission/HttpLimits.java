package io.fleetkit.backend.admission;

import java.time.Duration;
import java.util.Objects;

/**
 * The REST server's bounds on its clients.
 *
 * @param requestReadTimeout      from the accept, or the end of the last response, until a whole request (headers and
 *                                body) has been read; idle keep-alive connections end with it too
 * @param maxConnections          open HTTP connections, overall; more are closed at accept
 * @param maxConnectionsPerSource open HTTP connections from one source address
 */
public record HttpLimits(Duration requestReadTimeout, int maxConnections, int maxConnectionsPerSource) {
    public HttpLimits {
        Objects.requireNonNull(requestReadTimeout, "requestReadTimeout");
        if (requestReadTimeout.isNegative() || requestReadTimeout.isZero()) {
            throw new IllegalArgumentException("requestReadTimeout: must be positive, was " + requestReadTimeout);
        }
        if (maxConnections < 1 || maxConnectionsPerSource < 1) {
            throw new IllegalArgumentException("connection caps must be positive, were " + maxConnections + " and " + maxConnectionsPerSource);
        }
    }

    /** 20 s to send a request, 1,024 connections, 256 of them from one address. */
    public static HttpLimits defaults() {
        return new HttpLimits(Duration.ofSeconds(20), 1024, 256);
    }
}

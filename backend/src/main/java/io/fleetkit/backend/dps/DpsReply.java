package io.fleetkit.backend.dps;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What DPS answers a request with: the status that goes in the response topic
 * ({@code $dps/registrations/res/{status}/?$rid=…&retry-after=…}) and the JSON body.
 */
public record DpsReply(int status, byte[] body, OptionalInt retryAfterSeconds) {
    public DpsReply {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(retryAfterSeconds, "retryAfterSeconds");
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

package io.fleetkit.backend.health;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a part works now, and if not, why and since when: "UP", or "DOWN: the last write failed at …: No space left on
 * device". A part reports DOWN only for what stops it doing its job (a failing write, a handler retrying, a dead thread),
 * and UP again as soon as that passes.
 *
 * @param up     whether the part works
 * @param detail why it does not (null when up)
 * @param since  when it stopped working (null when up)
 */
public record Health(boolean up, String detail, Instant since) {
    private static final Health UP_NOW = new Health(true, null, null);

    public Health {
        if (!up) {
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(since, "since");
        }
    }

    public static Health ok() {
        return UP_NOW;
    }

    public static Health down(String detail, Instant since) {
        return new Health(false, detail, since);
    }

    /** "UP", or "DOWN since …: detail". */
    @Override
    public String toString() {
        return up ? "UP" : "DOWN since " + since + ": " + detail;
    }
}

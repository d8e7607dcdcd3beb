package io.fleetkit.backend.stream;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a stream keeps records: whole segments go once everything in them is older than
 * {@code maxAge}, or, oldest first, while a partition holds more than {@code maxBytes}. The
 * segment being written is never removed, so a partition can exceed {@code maxBytes} by up to
 * one segment. A consumer that falls behind retention resumes at the oldest record kept.
 */
public record Retention(Duration maxAge, long maxBytes) {
    /** Keep everything. */
    public static final Retention FOREVER = new Retention(null, Long.MAX_VALUE);

    public Retention {
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            throw new IllegalArgumentException("retention age: must be positive, was " + maxAge);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("retention size: must be positive, was " + maxBytes + " bytes");
        }
    }

    public static Retention ofAge(Duration maxAge) {
        return new Retention(Objects.requireNonNull(maxAge, "maxAge"), Long.MAX_VALUE);
    }

    public static Retention ofBytes(long maxBytes) {
        return new Retention(null, maxBytes);
    }
}

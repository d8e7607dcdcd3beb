package io.fleetkit.backend.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** For conditions that another thread makes true: polls every 20 ms, fails after 10 s (or the time given). */
public final class Eventually {
    private Eventually() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(10), condition);
    }

    /** As {@link #until(String, BooleanSupplier)}, for conditions that take longer (a recovery, a restart). */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, within).isLessThan(deadline);
            LockSupport.parkNanos(20_000_000);
        }
    }
}

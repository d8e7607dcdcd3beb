package io.fleetkit.backend.processing;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyWindowTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LatencyWindow window = new LatencyWindow(now::get);

    private void tick(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void theWindowIsFoldedOnceASecondAndEveryReaderSeesTheSameFigures() {
        for (long ms = 1; ms <= 100; ms++) {
            window.record(ms);
        }
        assertThat(window.percentiles()).as("before the first second").isEmpty();
        tick(999);
        assertThat(window.percentiles()).as("still before it").isEmpty();
        tick(1);
        Map<String, Double> folded = window.percentiles();
        assertThat(folded.get("p50")).isCloseTo(50.0, within(0.5));
        assertThat(folded.get("p99")).isCloseTo(99.0, within(1.0));

        window.record(5_000); // recorded now, seen in the next window
        tick(500);
        assertThat(window.percentiles()).as("the same figures within the second").isEqualTo(folded);
        tick(500);
        Map<String, Double> next = window.percentiles();
        assertThat(next.get("p50")).as("two significant digits").isCloseTo(5_000.0, within(50.0)).isEqualTo(next.get("p99"));
        tick(1_000);
        assertThat(window.percentiles()).as("a second with nothing recorded").isEmpty();
    }

    @Test
    void latenciesOutsideZeroToAnHourAreClampedNotRefused() {
        window.record(-20); // a clock step between the hub and the processor
        window.record(TimeUnit.HOURS.toMillis(5));
        tick(1_000);
        Map<String, Double> p = window.percentiles();
        assertThat(p.get("p50")).isZero();
        assertThat(p.get("p99")).isCloseTo(TimeUnit.HOURS.toMillis(1), within(TimeUnit.HOURS.toMillis(1) / 100.0));
    }
}

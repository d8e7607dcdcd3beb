package io.fleetkit.backend.latency;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StageTimingsTest {
    private final AtomicLong now = new AtomicLong();
    private final StageTimings timings = new StageTimings(now::get);

    private StageTimings.Reading reading(StageTimings.Stage stage, String part) {
        return timings.read().stream().filter(r -> r.stage() == stage && r.part().equals(part)).findFirst().orElseThrow();
    }

    @Test
    void aSeriesIsMadeOnceAndFoldedAtMostOnceASecond() {
        StageTimings.Series appended = timings.series(StageTimings.Stage.APPENDED, StageTimings.HUB);
        assertThat(timings.series(StageTimings.Stage.APPENDED, StageTimings.HUB)).isSameAs(appended);
        assertThat(timings.series(StageTimings.Stage.HANDED, "store")).isNotSameAs(appended);
        for (int i = 1; i <= 100; i++) {
            appended.record(i * 10L); // 10 µs … 1 ms
        }
        assertThat(reading(StageTimings.Stage.APPENDED, StageTimings.HUB).count()).as("not folded yet: under a second").isZero();

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        StageTimings.Reading r = reading(StageTimings.Stage.APPENDED, StageTimings.HUB);
        assertThat(r.count()).isEqualTo(100);
        assertThat(r.windowCount()).isEqualTo(100);
        assertThat(r.windowP50()).isBetween(495L, 505L);
        assertThat(r.windowP99()).isBetween(985L, 995L);
        assertThat(r.sumMicros()).isCloseTo(50_500, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(r.cumulative()[0]).as("≤ 100 µs").isEqualTo(10);
        assertThat(r.cumulative()[3]).as("≤ 1 ms").isEqualTo(100);

        // the next second: nothing new → the window is empty, the totals stay
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        r = reading(StageTimings.Stage.APPENDED, StageTimings.HUB);
        assertThat(r.count()).isEqualTo(100);
        assertThat(r.windowCount()).isZero();
        assertThat(r.windowP99()).isZero();
    }

    @Test
    void negativeTimesCountAsZeroAndHoursAreCapped() {
        StageTimings.Series handed = timings.series(StageTimings.Stage.HANDED, "store");
        handed.record(-5_000); // another machine's clock ahead of this one
        handed.record(TimeUnit.DAYS.toMicros(2));
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        StageTimings.Reading r = reading(StageTimings.Stage.HANDED, "store");
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.cumulative()[0]).isEqualTo(1);
        assertThat(r.cumulative()[r.cumulative().length - 1]).as("≤ 10 s").isEqualTo(1);
    }

    @Test
    void prometheusSeesOneHistogramWithCumulativeBuckets() {
        StageTimings.Series stored = timings.series(StageTimings.Stage.STORED, "store");
        stored.record(200);        // ≤ 250 µs
        stored.record(3_000);      // ≤ 5 ms
        stored.record(20_000_000); // above every bound: +Inf only
        timings.series(StageTimings.Stage.PUBACK, StageTimings.HUB);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.getPrometheusRegistry().register(new StageCollector(timings));
        List<String> lines = registry.scrape().lines().filter(l -> l.startsWith(StageCollector.NAME)).toList();
        assertThat(lines).contains(
                "fleetkit_message_stage_seconds_bucket{part=\"store\",stage=\"stored\",le=\"1.0E-4\"} 0",
                "fleetkit_message_stage_seconds_bucket{part=\"store\",stage=\"stored\",le=\"2.5E-4\"} 1",
                "fleetkit_message_stage_seconds_bucket{part=\"store\",stage=\"stored\",le=\"0.005\"} 2",
                "fleetkit_message_stage_seconds_bucket{part=\"store\",stage=\"stored\",le=\"10.0\"} 2",
                "fleetkit_message_stage_seconds_bucket{part=\"store\",stage=\"stored\",le=\"+Inf\"} 3",
                "fleetkit_message_stage_seconds_count{part=\"store\",stage=\"stored\"} 3",
                "fleetkit_message_stage_seconds_count{part=\"hub\",stage=\"puback\"} 0");
        String sum = lines.stream().filter(l -> l.startsWith("fleetkit_message_stage_seconds_sum{part=\"store\",stage=\"stored\"}"))
                .findFirst().orElseThrow();
        assertThat(Double.parseDouble(sum.substring(sum.lastIndexOf(' ') + 1))).as("from the histogram: within its 1%")
                .isCloseTo(20.0032, org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void totalsFoldAtOnceSoTwoOfThemBracketAPhase() {
        StageTimings.Series handled = timings.series(StageTimings.Stage.HANDLED, "probe");
        handled.record(1_000);
        org.HdrHistogram.Histogram before = timings.totals().get(0).histogram();
        assertThat(before.getTotalCount()).as("folded without waiting a second").isEqualTo(1);
        for (int i = 0; i < 99; i++) {
            handled.record(5_000);
        }
        StageTimings.Total after = timings.totals().get(0);
        assertThat(after.stage()).isEqualTo(StageTimings.Stage.HANDLED);
        assertThat(after.part()).isEqualTo("probe");
        org.HdrHistogram.Histogram phase = after.histogram().copy();
        phase.subtract(before);
        assertThat(phase.getTotalCount()).isEqualTo(99);
        assertThat(phase.getValueAtPercentile(1)).as("the phase's own values only").isBetween(4_950L, 5_050L);
        assertThat(before.getTotalCount()).as("a copy, not the live total").isEqualTo(1);
    }

    @Test
    void everyStageHasItsOwnLabelAndEndToEndSpansTheProcessorsThree() {
        assertThat(java.util.Arrays.stream(StageTimings.Stage.values()).map(StageTimings.Stage::label).distinct())
                .hasSize(StageTimings.Stage.values().length);
        assertThat(StageTimings.Stage.END_TO_END.from()).isEqualTo(StageTimings.Stage.HANDED.from());
        assertThat(StageTimings.Stage.END_TO_END.to()).isEqualTo(StageTimings.Stage.STORED.to());
        assertThat(StageTimings.Stage.PUBLISHED.to()).isEqualTo(StageTimings.Stage.APPENDED.from());
    }
}

package io.fleetkit.bench.load;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** How a soak judges its samples: the fitted trends against their limits, devices that gave up, rows against acknowledgements. */
class SoakScenarioTest {
    // growth limits of 4 and 8 MB/min, not the defaults (1 and 2): what is judged here is the arithmetic
    private final SoakScenario soak = new SoakScenario(new LoadRun(Path.of("unused"), 1, 1, false, List.of(), "test",
            new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter())),
            10_000, 10, Duration.ofMinutes(30), Duration.ofMinutes(1), null, 4, 8, 500, null);

    /** One sample a minute for 30 minutes: heap and resident memory as functions of the minute, noise on top. */
    private static List<SoakSample> samples(double heapPerMinute, double residentPerMinute, int gaveUpAt) {
        List<SoakSample> out = new ArrayList<>();
        for (int m = 1; m <= 30; m++) {
            double noise = (m % 3 - 1) * 6; // ±6 MB, as a GC that ran a little late leaves
            double warmUp = m <= 5 ? 300 - 60 * m : 0; // a big start-up swing the trend must not see
            out.add(new SoakSample(m, 200 + warmUp + heapPerMinute * m + noise, 150, 1400 + residentPerMinute * m - noise, 90, 10_050, 3,
                    1666, 2.1, 9.5, 10_000, m >= gaveUpAt ? 1 : 0));
        }
        return out;
    }

    private static final SoakScenario.Ending CLEAN = new SoakScenario.Ending(2_990_000, 2_990_000, 0, 1.5);

    @Test
    void aFlatRunPassesWhateverItsWarmUpDid() {
        SoakScenario.Verdict v = soak.judge(samples(0, 0, Integer.MAX_VALUE), Duration.ofMinutes(5), CLEAN);
        assertThat(v.failures()).isEmpty();
        assertThat(v.heap().slope()).isCloseTo(0, within(0.5));
    }

    @Test
    void aLeakOfAFewMegabytesAMinuteFails() {
        SoakScenario.Verdict v = soak.judge(samples(5, 0, Integer.MAX_VALUE), Duration.ofMinutes(5), CLEAN);
        assertThat(v.heap().slope()).isCloseTo(5, within(0.2));
        assertThat(v.failures()).singleElement().asString().startsWith("heap after GC grows ").endsWith("MB/min (limit 4.00)");
        SoakScenario.Verdict resident = soak.judge(samples(0, 9, Integer.MAX_VALUE), Duration.ofMinutes(5), CLEAN);
        assertThat(resident.resident().slope()).isCloseTo(9, within(0.2));
        assertThat(resident.failures()).singleElement().asString().startsWith("resident memory grows ").endsWith("MB/min (limit 8.00)");
    }

    @Test
    void aDeviceThatGaveUpOrATelemetryRowMissingFails() {
        assertThat(soak.judge(samples(0, 0, 12), Duration.ofMinutes(5), CLEAN).failures()).containsExactly("1 device(s) gave up");
        SoakScenario.Ending lost = new SoakScenario.Ending(2_990_000, 2_989_998, 0, 1.5);
        assertThat(soak.judge(samples(0, 0, Integer.MAX_VALUE), Duration.ofMinutes(5), lost).failures())
                .containsExactly("the store holds 2989998 telemetry rows, the devices saw 2990000 acknowledged (lost: 2)");
        SoakScenario.Ending stuck = new SoakScenario.Ending(10, 10, 4, 180);
        assertThat(soak.judge(samples(0, 0, Integer.MAX_VALUE), Duration.ofMinutes(5), stuck).failures())
                .containsExactly("4 message(s) still unacknowledged 180 s after the load stopped");
    }

    @Test
    void theTrendIsTheLeastSquaresLine() {
        LinearTrend t = LinearTrend.fit(List.of(new double[]{0, 1}, new double[]{1, 3}, new double[]{2, 5}));
        assertThat(t.slope()).isEqualTo(2.0);
        assertThat(t.at(3)).isEqualTo(7.0);
        assertThatThrownBy(() -> LinearTrend.fit(List.of(new double[]{1, 1}))).hasMessageContaining("at least two samples");
    }
}

package io.fleetkit.backend.latency;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The stage latencies as one Prometheus histogram, {@code fleetkit_message_stage_seconds{stage, part}}: a series per stage
 * of the hub ({@code part="hub"}) and of each processor group, with the buckets of {@link StageTimings#BUCKET_MICROS}.
 * The labels are bounded by the assembly (seven stages at most, the groups it starts).
 */
public final class StageCollector implements Collector {
    public static final String NAME = "fleetkit_message_stage_seconds";
    private static final double[] BOUNDS = new double[StageTimings.BUCKET_MICROS.length + 1];

    static {
        for (int i = 0; i < StageTimings.BUCKET_MICROS.length; i++) {
            BOUNDS[i] = StageTimings.BUCKET_MICROS[i] / 1e6;
        }
        BOUNDS[BOUNDS.length - 1] = Double.POSITIVE_INFINITY;
    }

    private final StageTimings timings;

    public StageCollector(StageTimings timings) {
        this.timings = timings;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(NAME).unit(Unit.SECONDS)
                .help("time a message spends in each stage of the path: accepted→appended→puback (hub), accepted→handed→handled→stored "
                        + "and accepted→stored as end_to_end (each processor group); publish→accepted as accepted where the send time is known");
        for (StageTimings.Reading r : timings.read()) {
            long[] perBucket = new long[BOUNDS.length]; // the model counts each bucket on its own, not cumulatively
            long below = 0;
            for (int i = 0; i < r.cumulative().length; i++) {
                perBucket[i] = r.cumulative()[i] - below;
                below = r.cumulative()[i];
            }
            perBucket[perBucket.length - 1] = r.count() - below;
            histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("stage", r.stage().label(), "part", r.part()))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, perBucket))
                    .sum(r.sumMicros() / 1e6).build());
        }
        return histogram.build();
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}

package io.fleetkit.backend.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The message path's stage latencies, in microseconds. Each {@link Series} (a stage, for the hub or for one processor
 * group) is made once, when the part that records it is assembled — so the label set is bounded by the assembly — and
 * records lock-free (HdrHistogram's {@link Recorder}, ~20 ns). Readers fold every series at most once a second: the fold
 * adds what was recorded since into the series' total (what {@code /metrics} exposes as a histogram) and keeps it as
 * the last window (what the dashboard draws), so however many read, each sees the same figures.
 */
public final class StageTimings {
    /** Values above an hour are recorded as an hour: a record that waited that long is a backlog, not a latency. */
    static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final long FOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The stages, each from the point before it ({@code from} and {@code to} name the points), and the whole of a processor
     * group's path ({@link #END_TO_END}), whose percentiles are not the sum of its stages'.
     */
    public enum Stage {
        /**
         * the device published → the hub accepted the PUBLISH; recorded only where the send time is known on the hub's clock
         * (the bench's probe: its load generator shares the machine's monotonic clock)
         */
        PUBLISHED("publish", "accepted", "accepted"),
        /** the hub accepted a PUBLISH → the stream holds it durably (fsync, or the broker's acknowledgement) */
        APPENDED("accepted", "appended", "appended"),
        /** → the PUBACK written to the device's socket */
        PUBACK("appended", "puback", "puback"),
        /** the hub accepted it (its enqueued time) → a processor read it from the stream */
        HANDED("accepted", "handed", "handed"),
        /** → the processor's handler returned */
        HANDLED("handed", "handled", "handled"),
        /** → the batch holding it committed (rows stored, state written) */
        STORED("handled", "stored", "stored"),
        /** the hub accepted it → the batch holding it committed: handed + handled + stored, message by message */
        END_TO_END("accepted", "stored", "end_to_end");

        private final String from;
        private final String to;
        private final String label;

        Stage(String from, String to, String label) {
            this.from = from;
            this.to = to;
            this.label = label;
        }

        public String from() {
            return from;
        }

        public String to() {
            return to;
        }

        /** The name in metrics and on the dashboard: the point it ends at ({@code handed}), or {@code end_to_end}. */
        public String label() {
            return label;
        }
    }

    /** One stage of one part: the hub ({@link #HUB}) or a processor group. */
    public static final class Series {
        private final Stage stage;
        private final String part;
        private final Recorder recorder = new Recorder(MAX_MICROS, 2);
        private final Histogram total = new Histogram(MAX_MICROS, 2);
        private Histogram window = new Histogram(MAX_MICROS, 2);
        private Histogram interval; // recycled between folds

        private Series(Stage stage, String part) {
            this.stage = stage;
            this.part = part;
        }

        public Stage stage() {
            return stage;
        }

        public String part() {
            return part;
        }

        /** Records one message's time in this stage; negative (clocks of two machines) counts as 0. */
        public void record(long micros) {
            recorder.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
        }

        private void fold() { // guarded by the StageTimings
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            window = interval.copy();
        }
    }

    /** The part name of the hub's own stages. */
    public static final String HUB = "hub";

    private final List<Series> series = new ArrayList<>(); // guarded by this
    private final LongSupplier nanoTime;
    private long lastFold;

    public StageTimings() {
        this(System::nanoTime);
    }

    /** With a clock of its own (tests). */
    StageTimings(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastFold = nanoTime.getAsLong();
    }

    /** The series of a stage of a part, made on first use: call it when assembling, not per message. */
    public synchronized Series series(Stage stage, String part) {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(part, "part");
        for (Series s : series) {
            if (s.stage == stage && s.part.equals(part)) {
                return s;
            }
        }
        Series s = new Series(stage, part);
        series.add(s);
        return s;
    }

    /** The upper bounds of the histogram buckets {@code /metrics} exposes, in microseconds (100 µs to 10 s). */
    public static final long[] BUCKET_MICROS = {100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
            500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000};

    /**
     * What one series shows. Totals since start: {@code count}, {@code sumMicros} (from the histogram: within its 1%
     * precision), {@code cumulative[i]} the messages at most {@link #BUCKET_MICROS}{@code [i]}; the last window (about a
     * second): its count and percentiles, 0 when it is empty.
     */
    public record Reading(Stage stage, String part, long count, double sumMicros, long[] cumulative,
                          long windowCount, long windowP50, long windowP99, long windowP999) {
    }

    /** One series' histogram since start, a copy: two of them subtracted are what happened in between. */
    public record Total(Stage stage, String part, Histogram histogram) {
    }

    /**
     * Every series' total, folded now rather than when a second has passed: for a bench that takes one at the start of a
     * phase and one at its end (the dashboard's last window is then shorter than a second, once).
     */
    public synchronized List<Total> totals() {
        lastFold = nanoTime.getAsLong();
        series.forEach(Series::fold);
        return series.stream().map(s -> new Total(s.stage, s.part, s.total.copy())).toList();
    }

    /** Every series, folded if a second has passed since the last fold. */
    public synchronized List<Reading> read() {
        long now = nanoTime.getAsLong();
        if (now - lastFold >= FOLD_NANOS) {
            lastFold = now;
            series.forEach(Series::fold);
        }
        List<Reading> out = new ArrayList<>(series.size());
        for (Series s : series) {
            long[] cumulative = new long[BUCKET_MICROS.length];
            for (int i = 0; i < cumulative.length; i++) {
                cumulative[i] = s.total.getCountBetweenValues(0, BUCKET_MICROS[i]);
            }
            long count = s.total.getTotalCount();
            Histogram w = s.window;
            boolean any = w.getTotalCount() > 0;
            out.add(new Reading(s.stage, s.part, count, count == 0 ? 0 : s.total.getMean() * count, cumulative, w.getTotalCount(),
                    any ? w.getValueAtPercentile(50) : 0, any ? w.getValueAtPercentile(99) : 0, any ? w.getValueAtPercentile(99.9) : 0));
        }
        return out;
    }
}

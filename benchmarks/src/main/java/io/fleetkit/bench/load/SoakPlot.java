package io.fleetkit.bench.load;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The soak as a picture, one panel each over minutes: heap and resident memory with their fitted trends, stored rows/s, PUBACK p50/p99. */
final class SoakPlot {
    private static final Color HEAP = new Color(0x1f77b4);
    private static final Color RESIDENT = new Color(0xd62728);
    private static final Color ROWS = new Color(0x2ca02c);
    private static final Color PUBACK = new Color(0x9467bd);
    private static final Color PUBACK_P50 = new Color(0xc5b0d5);

    private SoakPlot() {
    }

    static void write(Path png, String title, List<SoakSample> samples, double fromMinute, LinearTrend heap, LinearTrend resident) {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("minutes since the load started"));
        plot.setGap(12);
        plot.add(memory("heap after GC (MB)", SoakSample::heapAfterGcMb, HEAP, heap, fromMinute, samples), 1);
        plot.add(memory("resident (MB)", SoakSample::residentMb, RESIDENT, resident, fromMinute, samples), 1);
        plot.add(panel(new XYSeriesCollection(series("stored rows/s", samples, SoakSample::rowsPerSecond)), "rows/s", true, lines(ROWS)), 1);
        XYSeriesCollection puback = new XYSeriesCollection(series("PUBACK p99 (ms)", samples, SoakSample::pubackP99Ms));
        puback.addSeries(series("PUBACK p50 (ms)", samples, SoakSample::pubackP50Ms));
        plot.add(panel(puback, "ms", true, lines(PUBACK, PUBACK_P50)), 1);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            java.nio.file.Files.createDirectories(png.getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 900);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    /** One memory figure and its fitted trend (dashed, from the end of the warm-up); the axis fits the data, not zero. */
    private static XYPlot memory(String name, ToDoubleFunction<SoakSample> value, Color color, LinearTrend trend, double fromMinute,
                                 List<SoakSample> samples) {
        XYSeriesCollection data = new XYSeriesCollection(series(name, samples, value));
        data.addSeries(trend(name.replace(" (MB)", "") + String.format(" trend %+.2f MB/min", trend.slope()), trend, fromMinute, samples));
        XYLineAndShapeRenderer r = lines(color, color);
        r.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        r.setSeriesShapesVisible(1, false);
        return panel(data, "MB", false, r);
    }

    private static XYPlot panel(XYSeriesCollection data, String unit, boolean fromZero, XYLineAndShapeRenderer renderer) {
        NumberAxis axis = new NumberAxis(unit);
        axis.setAutoRangeIncludesZero(fromZero);
        XYPlot p = new XYPlot(data, null, axis, renderer);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    private static XYLineAndShapeRenderer lines(Color... colors) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < colors.length; i++) {
            r.setSeriesPaint(i, colors[i]);
            r.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        return r;
    }

    private static XYSeries series(String name, List<SoakSample> samples, ToDoubleFunction<SoakSample> value) {
        XYSeries s = new XYSeries(name);
        samples.forEach(x -> s.add(x.minute(), value.applyAsDouble(x)));
        return s;
    }

    private static XYSeries trend(String name, LinearTrend t, double fromMinute, List<SoakSample> samples) {
        XYSeries s = new XYSeries(name);
        double last = samples.get(samples.size() - 1).minute();
        s.add(fromMinute, t.at(fromMinute));
        s.add(last, t.at(last));
        return s;
    }
}

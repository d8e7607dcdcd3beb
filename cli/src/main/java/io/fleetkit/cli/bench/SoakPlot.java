package io.fleetkit.cli.bench;

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

/** The soak as a picture: memory with its fitted trends, stored rows per second and PUBACK p99, one panel each, over minutes. */
final class SoakPlot {
    private static final Color HEAP = new Color(0x1f77b4);
    private static final Color RESIDENT = new Color(0xd62728);
    private static final Color ROWS = new Color(0x2ca02c);
    private static final Color PUBACK = new Color(0x9467bd);

    private SoakPlot() {
    }

    static void write(Path png, String title, List<SoakSample> samples, double fromMinute, LinearTrend heap, LinearTrend resident) {
        XYSeriesCollection memory = new XYSeriesCollection();
        memory.addSeries(series("heap after GC (MB)", samples, SoakSample::heapAfterGcMb));
        memory.addSeries(series("resident (MB)", samples, SoakSample::residentMb));
        memory.addSeries(trend("heap trend", heap, fromMinute, samples));
        memory.addSeries(trend("resident trend", resident, fromMinute, samples));
        XYLineAndShapeRenderer memoryLines = lines(HEAP, RESIDENT, HEAP, RESIDENT);
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f);
        memoryLines.setSeriesStroke(2, dashed);
        memoryLines.setSeriesStroke(3, dashed);
        memoryLines.setSeriesShapesVisible(2, false);
        memoryLines.setSeriesShapesVisible(3, false);

        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("minutes since the load started"));
        plot.setGap(12);
        plot.add(panel(memory, "MB", memoryLines), 2);
        plot.add(panel(new XYSeriesCollection(series("stored rows/s", samples, SoakSample::rowsPerSecond)), "rows/s", lines(ROWS)), 1);
        plot.add(panel(new XYSeriesCollection(series("PUBACK p99 (ms)", samples, SoakSample::pubackP99Ms)), "ms", lines(PUBACK)), 1);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            java.nio.file.Files.createDirectories(png.getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 800);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static XYPlot panel(XYSeriesCollection data, String unit, XYLineAndShapeRenderer renderer) {
        NumberAxis axis = new NumberAxis(unit);
        axis.setAutoRangeIncludesZero(true);
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

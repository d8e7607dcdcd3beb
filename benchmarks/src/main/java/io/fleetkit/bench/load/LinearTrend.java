package io.fleetkit.bench.load;

import java.util.List;

/**
 * The least-squares line through (x, y) points: what a soak judges growth by. One sample can be high (a GC that ran late,
 * a burst); the slope of all of them is what a leak moves.
 */
record LinearTrend(double slope, double intercept) {

    /** @throws IllegalArgumentException with fewer than two distinct x */
    static LinearTrend fit(List<double[]> points) {
        int n = points.size();
        double sx = 0, sy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
        }
        double mx = sx / n, my = sy / n;
        double sxx = 0, sxy = 0;
        for (double[] p : points) {
            sxx += (p[0] - mx) * (p[0] - mx);
            sxy += (p[0] - mx) * (p[1] - my);
        }
        if (n < 2 || sxx == 0) {
            throw new IllegalArgumentException("a trend needs at least two samples at different times, had " + n);
        }
        double slope = sxy / sxx;
        return new LinearTrend(slope, my - slope * mx);
    }

    double at(double x) {
        return intercept + slope * x;
    }
}

package io.fleetkit.cli;

import java.io.PrintWriter;

/**
 * A progress line for long work: redrawn in place on a terminal, one line per 10% otherwise
 * (CI logs, pipes). Thread-safe; updates may come from worker threads.
 */
final class Progress {
    private final PrintWriter err;
    private final String what;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private int lastDecile = -1;

    Progress(PrintWriter err, String what) {
        this.err = err;
        this.what = what;
        this.terminal = System.console() != null;
    }

    synchronized void update(int done, int total) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String rate = seconds > 0 ? String.format("%.0f/s", done / seconds) : "";
        String line = String.format("%s %d/%d (%d%%) %s", what, done, total, total == 0 ? 100 : done * 100L / total, rate);
        if (terminal) {
            err.print("\r" + line + (done == total ? "\n" : ""));
            err.flush();
            return;
        }
        int decile = total == 0 ? 10 : (int) (done * 10L / total);
        if (decile != lastDecile) {
            lastDecile = decile;
            err.println(line);
            err.flush();
        }
    }
}

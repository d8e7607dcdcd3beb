package io.fleetkit.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One minute (or --sample-every) of a soak, measured from outside the server process and from the swarm.
 *
 * @param minute          minutes since the load started
 * @param heapAfterGcMb   the server's used heap right after a full GC (one, at the sample)
 * @param gcPauseMs       how long that full GC stopped the server: it falls in the next interval's PUBACK latencies
 * @param residentMb      the server's resident set (/proc/PID/status VmRSS)
 * @param backlog         telemetry appended to the stream and not yet stored
 * @param rowsPerSecond   telemetry rows stored per second since the previous sample
 * @param pubackP50Ms     the swarm's PUBACK latency median since the previous sample
 * @param pubackP99Ms     its p99
 */
record SoakSample(double minute, double heapAfterGcMb, long gcPauseMs, double residentMb, int threads, int descriptors, long backlog,
                  double rowsPerSecond, double pubackP50Ms, double pubackP99Ms, int online, int gaveUp) {

    void writeTo(ObjectNode json) {
        json.put("minute", minute).put("heapAfterGcMb", heapAfterGcMb).put("gcPauseMs", gcPauseMs).put("residentMb", residentMb)
                .put("threads", threads).put("descriptors", descriptors).put("backlog", backlog).put("rowsPerSecond", rowsPerSecond)
                .put("pubackP50Ms", pubackP50Ms).put("pubackP99Ms", pubackP99Ms).put("online", online).put("gaveUp", gaveUp);
    }

    String line() {
        return String.format("minute %5.1f: heap %,.0f MB after GC (%d ms), RSS %,.0f MB, %d threads, %,d descriptors, backlog %,d,"
                + " %,.0f rows/s, PUBACK p50 %.1f ms p99 %.1f ms, %,d online, %d gave up", minute, heapAfterGcMb, gcPauseMs, residentMb,
                threads, descriptors, backlog, rowsPerSecond, pubackP50Ms, pubackP99Ms, online, gaveUp);
    }
}

package io.fleetkit.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One minute (or --sample-every) of a soak, measured from outside the server process and from the swarm.
 *
 * @param minute          minutes since the load started
 * @param heapAfterGcMb   the server's used heap right after a full GC
 * @param residentMb      the server's resident set (/proc/PID/status VmRSS)
 * @param backlog         telemetry appended to the stream and not yet stored
 * @param rowsPerSecond   telemetry rows stored per second since the previous sample
 * @param pubackP99Ms     the swarm's PUBACK latency p99 since the previous sample
 */
record SoakSample(double minute, double heapAfterGcMb, double residentMb, int threads, int descriptors, long backlog,
                  double rowsPerSecond, double pubackP99Ms, int online, int gaveUp) {

    void writeTo(ObjectNode json) {
        json.put("minute", minute).put("heapAfterGcMb", heapAfterGcMb).put("residentMb", residentMb).put("threads", threads)
                .put("descriptors", descriptors).put("backlog", backlog).put("rowsPerSecond", rowsPerSecond)
                .put("pubackP99Ms", pubackP99Ms).put("online", online).put("gaveUp", gaveUp);
    }

    String line() {
        return String.format("minute %5.1f: heap %,.0f MB after GC, RSS %,.0f MB, %d threads, %,d descriptors, backlog %,d, %,.0f rows/s,"
                + " PUBACK p99 %.1f ms, %,d online, %d gave up", minute, heapAfterGcMb, residentMb, threads, descriptors, backlog,
                rowsPerSecond, pubackP99Ms, online, gaveUp);
    }
}

package io.fleetkit.firmware.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.firmware.LifecycleState;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The swarm's progress line and final summary (JSON for machines, text for people). */
public final class SwarmReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwarmReport() {
    }

    /** Rates over the last progress interval. */
    public record Rates(double registrations, double connects, double sent, double acked) {
    }

    /** One line for the terminal, every few seconds. */
    public static String progress(SwarmMetrics m, int devices, Duration elapsed, Rates r) {
        SwarmMetrics.Latencies l = m.latencies();
        return String.format(Locale.ROOT,
                "%5ds  online %d/%d  provisioning %d  connecting %d  backoff %d  gave up %d  | %.0f reg/s %.0f conn/s | "
                        + "sent %d (%.0f/s) acked %d (%.0f/s) | 429s %d | p50 provisioning %.0f ms, connect %.0f ms, PUBACK %.1f ms",
                elapsed.toSeconds(), m.count(LifecycleState.ONLINE), devices, m.count(LifecycleState.PROVISIONING),
                m.count(LifecycleState.CONNECTING), m.count(LifecycleState.BACKOFF), m.count(LifecycleState.GAVE_UP),
                r.registrations(), r.connects(), m.messagesSent(), r.sent(), m.messagesAcknowledged(), r.acked(), m.throttled(),
                ms(l.provisioning(), 50), ms(l.connect(), 50), ms(l.puback(), 50));
    }

    /**
     * The run's summary: {@code devices}, {@code online}, {@code gaveUp}, {@code messagesAcked},
     * latency percentiles in milliseconds, failures by cause.
     */
    public static ObjectNode summary(SwarmMetrics m, int devices, Duration elapsed, Duration timeToAllOnline) {
        ObjectNode o = JSON.createObjectNode();
        o.put("devices", devices);
        o.put("online", m.count(LifecycleState.ONLINE));
        o.put("everOnline", m.everOnline());
        o.put("gaveUp", m.count(LifecycleState.GAVE_UP));
        o.put("registrations", m.registrations());
        o.put("hubConnects", m.connects());
        o.put("dpsThrottled429", m.throttled());
        o.put("messagesSent", m.messagesSent());
        o.put("messagesAcked", m.messagesAcknowledged());
        o.put("durationSeconds", round(elapsed.toMillis() / 1000.0));
        o.put("ackedPerSecond", round(m.messagesAcknowledged() / Math.max(0.001, elapsed.toMillis() / 1000.0)));
        if (timeToAllOnline != null) {
            o.put("secondsToAllOnline", round(timeToAllOnline.toMillis() / 1000.0));
        }
        SwarmMetrics.Latencies l = m.latencies();
        ObjectNode lat = o.putObject("latencyMs");
        lat.set("provisioning", percentiles(l.provisioning()));
        lat.set("hubConnect", percentiles(l.connect()));
        lat.set("puback", percentiles(l.puback()));
        lat.set("methodRoundTrip", percentiles(l.methodRoundTrip()));
        ObjectNode statuses = o.putObject("methodStatuses");
        m.methodStatuses().forEach((k, v) -> statuses.put(Integer.toString(k), v));
        ObjectNode f = o.putObject("failures");
        m.failures().forEach(f::put);
        // the histograms themselves, so that summaries of several swarm processes combine exactly
        ObjectNode h = o.putObject("histograms");
        h.put("provisioning", encode(l.provisioning()));
        h.put("hubConnect", encode(l.connect()));
        h.put("puback", encode(l.puback()));
        h.put("methodRoundTrip", encode(l.methodRoundTrip()));
        return o;
    }

    /**
     * Combines the summaries of several swarm processes that ran together: counts add up,
     * latencies are recomputed from the merged histograms, the duration is the longest.
     */
    public static ObjectNode combine(List<ObjectNode> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("parts: nothing to combine");
        }
        ObjectNode o = JSON.createObjectNode();
        for (String count : List.of("devices", "online", "everOnline", "gaveUp", "registrations", "hubConnects", "dpsThrottled429",
                "messagesSent", "messagesAcked")) {
            o.put(count, parts.stream().mapToLong(p -> p.path(count).asLong()).sum());
        }
        double duration = parts.stream().mapToDouble(p -> p.path("durationSeconds").asDouble()).max().orElse(0);
        o.put("durationSeconds", duration);
        o.put("ackedPerSecond", round(parts.stream().mapToDouble(p -> p.path("ackedPerSecond").asDouble()).sum()));
        if (parts.stream().allMatch(p -> p.has("secondsToAllOnline"))) {
            o.put("secondsToAllOnline", parts.stream().mapToDouble(p -> p.get("secondsToAllOnline").asDouble()).max().orElse(0));
        }
        ObjectNode lat = o.putObject("latencyMs");
        ObjectNode hist = JSON.createObjectNode();
        for (String name : List.of("provisioning", "hubConnect", "puback", "methodRoundTrip")) {
            Histogram merged = new Histogram(3);
            for (ObjectNode p : parts) {
                if (!p.path("histograms").has(name)) {
                    throw new IllegalArgumentException("a summary lacks the '" + name + "' histogram; combine summaries written by this version");
                }
                merged.add(decode(p.path("histograms").get(name).asText()));
            }
            lat.set(name, percentiles(merged));
            hist.put(name, encode(merged));
        }
        ObjectNode statuses = o.putObject("methodStatuses");
        for (ObjectNode p : parts) {
            p.path("methodStatuses").fields().forEachRemaining(e -> statuses.put(e.getKey(), statuses.path(e.getKey()).asLong() + e.getValue().asLong()));
        }
        ObjectNode failures = o.putObject("failures");
        for (ObjectNode p : parts) {
            p.path("failures").fields().forEachRemaining(e -> failures.put(e.getKey(), failures.path(e.getKey()).asLong() + e.getValue().asLong()));
        }
        o.set("histograms", hist);
        o.put("processes", parts.size());
        return o;
    }

    private static String encode(Histogram h) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
    }

    private static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("a summary holds an unreadable histogram: " + e.getMessage(), e);
        }
    }

    public static String text(ObjectNode s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "devices %d: %d online, %d gave up (%d were online at some point)%n",
                s.get("devices").asInt(), s.get("online").asInt(), s.get("gaveUp").asInt(), s.get("everOnline").asInt()));
        if (s.has("secondsToAllOnline")) {
            b.append(String.format(Locale.ROOT, "all online after %.1f s%n", s.get("secondsToAllOnline").asDouble()));
        }
        b.append(String.format(Locale.ROOT, "messages: %d sent, %d acknowledged, %.0f/s; DPS answered 429 %d times%n",
                s.get("messagesSent").asLong(), s.get("messagesAcked").asLong(), s.get("ackedPerSecond").asDouble(),
                s.get("dpsThrottled429").asLong()));
        if (s.has("processes")) {
            b.append(String.format(Locale.ROOT, "(combined from %d swarm processes)%n", s.get("processes").asInt()));
        }
        if (s.has("methodStatuses") && !s.get("methodStatuses").isEmpty()) {
            b.append("method answers by status: ").append(s.get("methodStatuses")).append(System.lineSeparator());
        }
        s.get("latencyMs").fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT,
                "%-13s p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms (%d samples)%n", e.getKey(),
                e.getValue().get("p50").asDouble(), e.getValue().get("p99").asDouble(), e.getValue().get("p999").asDouble(),
                e.getValue().get("max").asDouble(), e.getValue().get("count").asLong())));
        if (s.has("swarmHeapBytesPerDevice")) {
            b.append(String.format(Locale.ROOT, "swarm heap %.1f KB per device (after GC, all connected, identities included)%n",
                    s.get("swarmHeapBytesPerDevice").asLong() / 1024.0));
        }
        if (s.has("swarmAndHubHeapBytesPerDevice")) {
            b.append(String.format(Locale.ROOT, "swarm and embedded hub heap %.1f KB per device (after GC, all connected)%n",
                    s.get("swarmAndHubHeapBytesPerDevice").asLong() / 1024.0));
        }
        if (!s.get("failures").isEmpty()) {
            b.append("failures by cause:").append(System.lineSeparator());
            s.get("failures").fields().forEachRemaining(e -> b.append("  ").append(e.getKey()).append(": ")
                    .append(e.getValue().asLong()).append(System.lineSeparator()));
        }
        return b.toString();
    }

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", h.getTotalCount());
        o.put("p50", ms(h, 50));
        o.put("p99", ms(h, 99));
        o.put("p999", ms(h, 99.9));
        o.put("max", round(h.getMaxValue() / 1e6));
        return o;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : round(h.getValueAtPercentile(percentile) / 1e6);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

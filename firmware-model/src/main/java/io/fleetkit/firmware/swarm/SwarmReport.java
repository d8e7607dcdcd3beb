package io.fleetkit.firmware.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.firmware.LifecycleState;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Locale;

/** The swarm's progress line and final summary (JSON for machines, text for people). */
public final class SwarmReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwarmReport() {
    }

    /** One line for the terminal, every few seconds. */
    public static String progress(SwarmMetrics m, int devices, Duration elapsed, double messagesPerSecond) {
        SwarmMetrics.Latencies l = m.latencies();
        return String.format(Locale.ROOT,
                "%5ds  online %d/%d  provisioning %d  connecting %d  backoff %d  gave up %d  | sent %d acked %d (%.0f/s) | 429s %d | "
                        + "p50 provisioning %.0f ms, connect %.0f ms, PUBACK %.1f ms",
                elapsed.toSeconds(), m.count(LifecycleState.ONLINE), devices, m.count(LifecycleState.PROVISIONING),
                m.count(LifecycleState.CONNECTING), m.count(LifecycleState.BACKOFF), m.count(LifecycleState.GAVE_UP),
                m.messagesSent(), m.messagesAcknowledged(), messagesPerSecond, m.throttled(),
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
        ObjectNode f = o.putObject("failures");
        m.failures().forEach(f::put);
        return o;
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
        s.get("latencyMs").fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT,
                "%-13s p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms (%d samples)%n", e.getKey(),
                e.getValue().get("p50").asDouble(), e.getValue().get("p99").asDouble(), e.getValue().get("p999").asDouble(),
                e.getValue().get("max").asDouble(), e.getValue().get("count").asLong())));
        if (s.has("swarmHeapBytesPerDevice")) {
            b.append(String.format(Locale.ROOT, "swarm heap %.1f KB per device (after GC, all connected, identities included)%n",
                    s.get("swarmHeapBytesPerDevice").asLong() / 1024.0));
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

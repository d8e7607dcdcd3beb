package io.fleetkit.backend.admission;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the connections a listener holds that have not proved who they are yet (for the MQTT
 * gateway: not yet past CONNACK; for the REST API: every open connection), overall and per source
 * address, and refuses one more past either cap. Per-source counting keeps one noisy host from
 * taking every slot; the overall cap keeps the process's descriptors and memory for the peers it
 * already serves. The per-source map holds only addresses with a connection counted, so it is
 * bounded by the overall cap. Thread-safe.
 */
public final class ConnectionAdmission {
    private final int max;
    private final int maxPerSource;
    private final int maxOpen;
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, Integer> bySource = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /**
     * @param max          connections counted at once, overall
     * @param maxPerSource connections counted at once from one source address
     */
    public ConnectionAdmission(int max, int maxPerSource) {
        this(max, maxPerSource, Integer.MAX_VALUE);
    }

    /**
     * @param max          connections counted at once, overall
     * @param maxPerSource connections counted at once from one source address
     * @param maxOpen      connections open at once, authenticated or not ({@link #open}, {@link #closed})
     */
    public ConnectionAdmission(int max, int maxPerSource, int maxOpen) {
        if (max < 1 || maxPerSource < 1 || maxOpen < 1) {
            throw new IllegalArgumentException("connection caps must be positive, were " + max + " overall, " + maxPerSource + " per source and "
                    + maxOpen + " open");
        }
        this.max = max;
        this.maxPerSource = maxPerSource;
        this.maxOpen = maxOpen;
    }

    /**
     * Counts an accepted connection for as long as it is open, if fewer than the open cap are; one counted must be
     * {@linkplain #closed uncounted} exactly once.
     *
     * @return why it is refused, or null when counted
     */
    public String open() {
        if (open.incrementAndGet() > maxOpen) {
            open.decrementAndGet();
            refused.increment();
            return maxOpen + " connections are open, this process's limit";
        }
        return null;
    }

    /** Uncounts a connection {@link #open} counted. */
    public void closed() {
        open.decrementAndGet();
    }

    /** Connections open now (counted by {@link #open}). */
    public int openNow() {
        return open.get();
    }

    /**
     * Counts a connection from {@code remote} if both caps allow it. A connection admitted must be
     * {@linkplain #release released} exactly once.
     *
     * @return why it is refused, or null when admitted
     */
    public String admit(SocketAddress remote) {
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            refused.increment();
            return max + " connections are already waiting to authenticate";
        }
        InetAddress source = source(remote);
        boolean[] admitted = {false};
        bySource.compute(source, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerSource) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            refused.increment();
            return maxPerSource + " connections from " + source.getHostAddress() + " are already waiting to authenticate";
        }
        return null;
    }

    /** Uncounts a connection {@link #admit} counted. */
    public void release(SocketAddress remote) {
        bySource.computeIfPresent(source(remote), (k, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** Connections counted now. */
    public int pending() {
        return total.get();
    }

    /** Connections refused so far because a cap was reached. */
    public long refused() {
        return refused.sum();
    }

    private static InetAddress source(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            return a.getAddress();
        }
        return InetAddress.getLoopbackAddress(); // an embedded channel or a local socket: one bucket
    }
}

package io.fleetkit.backend.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * What the gateway allows each connection and all of them together; every bound has a default a
 * 2-core, 20,000-descriptor process holds. Before CONNACK a peer is unauthenticated: it gets a
 * deadline, a small byte budget and a slot under two caps. After it, a device's unacknowledged
 * messages are bounded per connection and, in bytes, over all connections: past either, the gateway
 * stops reading from the publisher (Netty {@code autoRead}) until the sink catches up.
 *
 * @param connectDeadline             from the TCP accept to CONNACK (TLS handshake and CONNECT included); bytes do not
 *                                    extend it
 * @param maxPreConnectBytes          bytes a peer may send before its CONNECT is accepted (a CONNECT is a few hundred; fleetkit
 *                                    takes no Will payload larger than this)
 * @param maxPendingConnections       connections not yet past CONNACK, overall; more are closed at accept
 * @param maxPendingPerSource         the same, from one source address
 * @param maxKeepAlive                the longest keep-alive honoured; a CONNECT with keep-alive 0 (none) or more gets this one
 *                                    (IoT Hub's maximum, 1,767 s: see the README), idle for 1.5 × it closes the connection
 * @param maxInflightPerConnection    a device's QoS 1 messages handed to the sink and not yet acknowledged; at this many the
 *                                    gateway stops reading from it
 * @param ingestBudgetBytes           payload bytes handed to the sink and not yet acknowledged, over all connections; past it
 *                                    every publishing connection stops reading until it drains below three quarters
 * @param maxConnections              connections open at once, authenticated or not; more are closed at accept, so the process
 *                                    keeps descriptors for its own files and the store's and broker's sockets — and, on a shared
 *                                    port, a full node refuses at once instead of leaving connections in its accept queue (the
 *                                    kernel keeps handing it its share: they would wait there until the device times out)
 */
public record GatewayLimits(Duration connectDeadline, int maxPreConnectBytes, int maxPendingConnections, int maxPendingPerSource,
                            Duration maxKeepAlive, int maxInflightPerConnection, long ingestBudgetBytes, int maxConnections) {
    /** IoT Hub's largest keep-alive: "If the keep-alive … exceeds 1,767 seconds, IoT Hub uses 1,767" (see the README). */
    public static final Duration IOT_HUB_MAX_KEEP_ALIVE = Duration.ofSeconds(1767);

    public GatewayLimits {
        Objects.requireNonNull(connectDeadline, "connectDeadline");
        Objects.requireNonNull(maxKeepAlive, "maxKeepAlive");
        if (connectDeadline.isNegative() || connectDeadline.isZero()) {
            throw new IllegalArgumentException("connectDeadline: must be positive, was " + connectDeadline);
        }
        if (maxKeepAlive.isNegative() || maxKeepAlive.isZero()) {
            throw new IllegalArgumentException("maxKeepAlive: must be positive, was " + maxKeepAlive);
        }
        positive("maxPreConnectBytes", maxPreConnectBytes);
        positive("maxPendingConnections", maxPendingConnections);
        positive("maxPendingPerSource", maxPendingPerSource);
        positive("maxInflightPerConnection", maxInflightPerConnection);
        positive("ingestBudgetBytes", ingestBudgetBytes);
        positive("maxConnections", maxConnections);
    }

    /**
     * 30 s to CONNACK, 8 KB before it, 4,096 pending connections (2,048 per source address: a swarm starting 1,000 devices at
     * once from one address fits), IoT Hub's 1,767 s keep-alive at most, 64 messages in flight per device, and an eighth of
     * the heap (at most 256 MB) in flight over all devices, and the process's descriptor limit less 1,000 open connections.
     */
    public static GatewayLimits defaults() {
        long budget = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
        return new GatewayLimits(Duration.ofSeconds(30), 8 * 1024, 4096, 2048, IOT_HUB_MAX_KEEP_ALIVE, 64, budget, connectionsForDescriptors());
    }

    /** Descriptors a process keeps for itself: its jars and files, the store's pool, the broker's and the cluster's sockets. */
    static final int RESERVED_DESCRIPTORS = 1000;

    /** The process's descriptor limit (the JVM raises the soft limit to the hard one on Linux) less {@link #RESERVED_DESCRIPTORS}. */
    static int connectionsForDescriptors() {
        long limit = java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Integer.MAX_VALUE;
        return (int) Math.max(100, Math.min(Integer.MAX_VALUE, limit - RESERVED_DESCRIPTORS));
    }

    public GatewayLimits withMaxConnections(int max) {
        return new GatewayLimits(connectDeadline, maxPreConnectBytes, maxPendingConnections, maxPendingPerSource, maxKeepAlive, maxInflightPerConnection,
                ingestBudgetBytes, max);
    }

    public GatewayLimits withConnectDeadline(Duration d) {
        return new GatewayLimits(d, maxPreConnectBytes, maxPendingConnections, maxPendingPerSource, maxKeepAlive, maxInflightPerConnection,
                ingestBudgetBytes, maxConnections);
    }

    public GatewayLimits withPendingConnections(int overall, int perSource) {
        return new GatewayLimits(connectDeadline, maxPreConnectBytes, overall, perSource, maxKeepAlive, maxInflightPerConnection,
                ingestBudgetBytes, maxConnections);
    }

    public GatewayLimits withMaxKeepAlive(Duration d) {
        return new GatewayLimits(connectDeadline, maxPreConnectBytes, maxPendingConnections, maxPendingPerSource, d, maxInflightPerConnection,
                ingestBudgetBytes, maxConnections);
    }

    public GatewayLimits withInflight(int perConnection, long budgetBytes) {
        return new GatewayLimits(connectDeadline, maxPreConnectBytes, maxPendingConnections, maxPendingPerSource, maxKeepAlive, perConnection,
                budgetBytes, maxConnections);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": must be positive, was " + value);
        }
    }
}

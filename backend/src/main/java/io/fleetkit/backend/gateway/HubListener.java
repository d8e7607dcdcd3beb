package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.netty.channel.Channel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The hub port's listening socket. On a port shared with other hub nodes ({@code SO_REUSEPORT}) a node that holds
 * nearly its cap of open connections ({@link GatewayLimits#maxConnections()}) leaves the port — closes its socket, so the
 * kernel hands new connections only to the nodes with room — and binds again once it is below 95% of the cap.
 * Refusing at accept alone is not enough there: the kernel's choice of listener is not guaranteed to spread, and was seen
 * to send every new connection to one full node for minutes while others had room ({@code bench cluster}, BENCHMARKS.md).
 * A port not shared stays bound; past the cap connections are refused at accept ({@link PreConnectGuard}).
 */
final class HubListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubListener.class);

    private final Supplier<Channel> bind;
    private final ConnectionAdmission admission;
    private final int leaveAt;
    private final int rejoinBelow;
    private final InetSocketAddress address;
    private final ScheduledExecutorService checker;
    private volatile Channel channel;
    private volatile boolean left;

    /**
     * @param bind   binds a listening socket on the port (called again to rejoin)
     * @param shared whether the port is shared with other hub nodes: only then does a full node leave it
     */
    HubListener(Supplier<Channel> bind, ConnectionAdmission admission, int maxConnections, boolean shared) {
        this.bind = bind;
        this.admission = admission;
        this.leaveAt = maxConnections - maxConnections / 100;
        this.rejoinBelow = maxConnections - maxConnections / 20;
        this.channel = bind.get();
        this.address = (InetSocketAddress) channel.localAddress();
        if (shared) {
            // not on the acceptor's event loop: binding again waits for the bind, which that loop would have to run
            checker = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("fleetkit-hub-listener", true));
            checker.scheduleWithFixedDelay(this::check, 500, 500, TimeUnit.MILLISECONDS);
        } else {
            checker = null;
        }
    }

    void check() {
        int open = admission.openNow();
        if (!left && open >= leaveAt) {
            left = true;
            channel.close().syncUninterruptibly();
            LOG.warn("{} connections open (leaving at {}): this node left the shared port {}; the other nodes take new connections "
                    + "until it is below {}", open, leaveAt, address.getPort(), rejoinBelow);
        } else if (left && open < rejoinBelow) {
            try {
                channel = bind.get();
                left = false;
                LOG.info("{} connections open: this node listens on the shared port {} again", open, address.getPort());
            } catch (Exception e) { // Netty rethrows the bind's BindException unchecked: caught here, or it would end the checks
                LOG.warn("cannot listen on the shared port {} again (tried again in 0.5 s): {}", address.getPort(), e.getMessage());
            }
        }
    }

    /** Whether the socket is open, or closed on purpose because this node is full. */
    boolean healthy() {
        return left || channel.isActive();
    }

    /** Whether its socket is open now. */
    boolean listening() {
        return channel.isActive();
    }

    /** Whether this node has left the shared port because it is full. */
    boolean left() {
        return left;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
        channel.close().syncUninterruptibly();
    }
}

package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.health.Health;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.hub.IngestBudget;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.throttle.Throttles;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT/TLS listener that serves both the hub and the DPS dialect. Threads: one acceptor,
 * one event loop per core for connections, and an auth executor (one thread per core) for
 * certificate checks and DPS requests, so nothing slow runs on an event loop.
 */
public final class MqttGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttGateway.class);
    /** Repeated refusals of one kind are logged once per this interval, the rest counted. */
    private static final java.time.Duration REFUSAL_LOG_INTERVAL = java.time.Duration.ofSeconds(10);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService authExecutor;
    private final HubListener server;
    private final Channel dpsServer;

    private final GatewayContext context;

    private MqttGateway(EventLoopGroup boss, EventLoopGroup workers, ExecutorService authExecutor, HubListener server, Channel dpsServer,
                        GatewayContext context) {
        this.context = context;
        this.boss = boss;
        this.workers = workers;
        this.authExecutor = authExecutor;
        this.server = server;
        this.dpsServer = dpsServer;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot bind (e.g. the port is taken)
     */
    public static MqttGateway start(GatewayConfig config, Enrollments enrollments, MqttDeviceCommands hub, DpsService dps,
                                    DeviceToCloudSink sink, Clock clock, Throttles throttles) {
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService auth = Executors.newFixedThreadPool(cores, new DefaultThreadFactory("fleetkit-auth", true));
        if (config.sharedPort() && !Epoll.isAvailable()) {
            auth.shutdownNow();
            throw new IllegalStateException("cannot share port " + config.port() + " with other hub nodes: SO_REUSEPORT needs Linux's epoll "
                    + "transport, which does not load here (" + Epoll.unavailabilityCause() + "); on other systems put the nodes "
                    + "on their own ports behind a TCP load balancer");
        }
        IoHandlerFactory io = config.sharedPort() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fleetkit-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(cores, new DefaultThreadFactory("fleetkit-io", true), io);
        ConnectAuthorizer authorizer = new ConnectAuthorizer(config.hubHostNames(), config.idScope(), enrollments, hub.registry(), clock);
        GatewayLimits limits = config.limits();
        GatewayContext context = new GatewayContext(authorizer, hub, dps, sink, auth, clock, config.maxPayloadBytes(), throttles, limits,
                new ConnectionAdmission(limits.maxPendingConnections(), limits.maxPendingPerSource(), limits.maxConnections()),
                new RefusalLog(LoggerFactory.getLogger("io.fleetkit.backend.gateway.Refusals"), REFUSAL_LOG_INTERVAL),
                new IngestBudget(limits.ingestBudgetBytes()), new StageTimings());
        var tls = ServerTls.context(config.serverCredential());
        HubListener server = null;
        try {
            var hubPort = new GatewayChannelInitializer(tls, context);
            server = new HubListener(() -> bind(boss, workers, hubPort, config.bindAddress(), config.port(), config.sharedPort()),
                    context.admission(), limits.maxConnections(), config.sharedPort());
            Channel dpsServer = config.dpsPort() < 0 ? null
                    : bind(boss, workers, new GatewayChannelInitializer(tls, context.forDpsOnly()), config.bindAddress(), config.dpsPort(),
                    config.sharedPort());
            MqttGateway gateway = new MqttGateway(boss, workers, auth, server, dpsServer, context);
            LOG.info("listening on {} (MQTT 3.1.1 over TLS: hub {} and DPS scope {}; at most {} connections open)",
                    gateway.address(), config.hubHostNames(), config.idScope(), limits.maxConnections());
            if (dpsServer != null) {
                LOG.info("listening on {} for DPS only", dpsServer.localAddress());
            }
            return gateway;
        } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked
            if (server != null) {
                server.close();
            }
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            auth.shutdownNow();
            String hint = e instanceof java.net.BindException ? " (is another fleetkit serve or MQTT broker using the port?)" : "";
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + why + hint, e);
        }
    }

    private static Channel bind(EventLoopGroup boss, EventLoopGroup workers, GatewayChannelInitializer init, String address, int port,
                                boolean shared) {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(shared ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true);
        if (shared) {
            // every hub node binds the same address and port; the kernel hashes each new connection to one of their sockets
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return b.childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(address, port)
                .syncUninterruptibly()
                .channel();
    }

    /** UP while the listener accepts connections (its socket is open and its event loops run); DOWN naming what is not. */
    public Health health() {
        if (!server.healthy() || (dpsServer != null && !dpsServer.isActive())) {
            return Health.down("the MQTT listener is not open", since());
        }
        if (workers.isShuttingDown() || boss.isShuttingDown()) {
            return Health.down("the gateway's event loops are stopping", since());
        }
        return Health.ok();
    }

    private java.time.Instant since() {
        java.time.Instant s = downSince;
        if (s == null) {
            downSince = s = java.time.Instant.now();
        }
        return s;
    }

    private volatile java.time.Instant downSince;

    /** Connections accepted and not yet past CONNACK (or closed). */
    public int pendingConnections() {
        return context.admission().pending();
    }

    /** Connections closed at accept because a cap was reached: on pending connections, or on open ones. */
    public long refusedAtAccept() {
        return context.admission().refused();
    }

    /** Refusals so far, by kind ("CONNECT refused: CONNECTION_REFUSED_NOT_AUTHORIZED", "no CONNACK in time", "DPS 401", …). */
    public java.util.Map<String, Long> refusals() {
        return context.refusals().counts();
    }

    /** The log of refusals, to count them by kind (e.g. for metrics: {@link RefusalLog#onNewKind}). */
    public RefusalLog refusalLog() {
        return context.refusals();
    }

    /** Device-to-cloud payload bytes handed to the sink and not yet acknowledged, over all connections. */
    /** How long messages take from acceptance to the stream and to their PUBACK. */
    public StageTimings timings() {
        return context.timings();
    }

    public IngestBudget ingestBudget() {
        return context.budget();
    }

    /** The DPS-only port, or -1 when none is configured. */
    public int dpsPort() {
        return dpsServer == null ? -1 : ((InetSocketAddress) dpsServer.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public int port() {
        return address().getPort();
    }

    /** Stops listening, closes every connection and waits for the threads to end. */
    @Override
    public void close() {
        server.close();
        if (dpsServer != null) {
            dpsServer.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        authExecutor.shutdownNow();
        LOG.info("stopped");
    }
}

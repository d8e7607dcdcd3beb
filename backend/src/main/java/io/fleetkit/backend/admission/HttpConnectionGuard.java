package io.fleetkit.backend.admission;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an HTTP server (the REST API, the service API) allows a connection before it has sent a whole request: a slot under two caps
 * (overall and per source address), and a deadline. The deadline runs from the connection's accept, and
 * again from the end of each response, until a request has been read whole — headers and body: a client
 * that trickles a header line every few seconds, or keeps an idle connection, is closed when it passes.
 * A request being answered (a direct method waiting for its device, the dashboard's event stream) holds no
 * deadline. Vert.x has an idle timeout but no such deadline: trickled bytes would keep resetting it.
 *
 * <p>Each connection's state lives on its event loop; the map of connections is bounded by the overall cap.
 */
public final class HttpConnectionGuard {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpConnectionGuard.class);
    private final Vertx vertx;
    private final HttpLimits limits;
    private final ConnectionAdmission admission;
    private final RefusalLog refusals;
    private final Map<HttpConnection, Watch> connections = new ConcurrentHashMap<>();

    /** One connection: the timer of its deadline (-1 when none runs) and the request it is answering. */
    private static final class Watch {
        long timer = -1;
        HttpServerRequest current;
        boolean served; // a whole request was answered on it: idle now is a keep-alive, not a stranger
    }

    public HttpConnectionGuard(Vertx vertx, HttpLimits limits, RefusalLog refusals) {
        this.vertx = vertx;
        this.limits = limits;
        this.admission = new ConnectionAdmission(limits.maxConnections(), limits.maxConnectionsPerSource());
        this.refusals = refusals;
    }

    /** A new connection: admitted with its deadline armed, or closed at once. */
    public void opened(HttpConnection connection) {
        String refused = admission.admit(remote(connection));
        if (refused != null) {
            refusals.refused("HTTP connection refused", "HTTP connection from {} closed at accept: {}", connection.remoteAddress(), refused);
            connection.close();
            return;
        }
        Watch w = new Watch();
        connections.put(connection, w);
        connection.closeHandler(v -> {
            Watch gone = connections.remove(connection);
            if (gone != null) {
                cancel(gone);
                admission.release(remote(connection));
            }
        });
        arm(connection, w);
    }

    /**
     * The router's first handler: a request's headers were read; its body still has to come before the deadline, which
     * stops once it has and starts again when the response ends.
     */
    public void requestStarted(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Watch w = connections.get(request.connection());
        if (w != null) {
            w.current = request;
            ctx.addEndHandler(done -> {
                if (w.current == request) {
                    w.current = null;
                    w.served = true;
                    if (connections.containsKey(request.connection())) {
                        arm(request.connection(), w);
                    }
                }
            });
        }
        ctx.next();
    }

    private void arm(HttpConnection connection, Watch w) {
        cancel(w);
        w.timer = vertx.setTimer(limits.requestReadTimeout().toMillis(), id -> {
            w.timer = -1;
            HttpServerRequest r = w.current;
            if (r != null && r.isEnded()) {
                return; // read whole and being answered: no deadline while it is
            }
            if (r == null && w.served) {
                LOG.debug("HTTP connection from {} closed: idle for {} s after its last answer", connection.remoteAddress(),
                        limits.requestReadTimeout().toSeconds());
            } else {
                refusals.refused("HTTP request not read in time", "HTTP connection from {} closed: no whole request within {} s",
                        connection.remoteAddress(), limits.requestReadTimeout().toSeconds());
            }
            connection.close();
        });
    }

    private void cancel(Watch w) {
        if (w.timer >= 0) {
            vertx.cancelTimer(w.timer);
            w.timer = -1;
        }
    }

    int open() {
        return admission.pending();
    }

    private static java.net.SocketAddress remote(HttpConnection c) {
        var a = c.remoteAddress();
        return a == null || a.hostAddress() == null ? null : new java.net.InetSocketAddress(a.hostAddress(), Math.max(0, a.port()));
    }
}

package io.fleetkit.backend.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks another node's {@link NodeCommandServer} to act on a device connected there. HTTPS, trusting the PKI's root CA and
 * checking the node's host name against its certificate; at most {@link #CONNECTIONS_PER_NODE} connections per node, and
 * {@link #MAX_WAITING} requests waiting for one (refused beyond: the caller sees a failed future).
 */
final class NodeCommandClient implements AutoCloseable {
    static final int CONNECTIONS_PER_NODE = 16;
    static final int MAX_WAITING = 4096;
    /** Beyond a method's own timeout, how long the answer may take to come back from the node. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final Duration NOTICE_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;
    private final String authorization;

    NodeCommandClient(Vertx vertx, PkiDirectory pki, byte[] secret) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
                        .setTrustOptions(new PemTrustOptions().addCertPath(pki.dir().resolve(PkiDirectory.ROOT + ".pem").toString()))
                        .setConnectTimeout(2000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_NODE).setMaxWaitQueueSize(MAX_WAITING));
        this.authorization = "Bearer " + new String(secret, StandardCharsets.US_ASCII);
    }

    /** Calls a method on a device connected to the node at {@code address}; a node that cannot be reached means not online. */
    CompletableFuture<MethodResult> invokeMethod(String address, DeviceId device, MethodName method, byte[] payload, Duration timeout) {
        String uri = "/cluster/v1/devices/" + enc(device.value()) + "/methods/" + enc(method.value()) + "?timeoutMs=" + timeout.toMillis();
        return send(address, uri, payload, timeout.plus(MARGIN)).map(response -> {
            String status = response.headers().get(NodeCommandServer.STATUS);
            if (response.status() != 200 || status == null) {
                throw new IllegalStateException("node " + address + " answered " + response.status() + ": " + response.body().toString());
            }
            return new MethodResult(Integer.parseInt(status), response.body().getBytes(),
                    Boolean.parseBoolean(response.headers().get(NodeCommandServer.FROM_HUB)));
        }).toCompletionStage().toCompletableFuture();
    }

    /** Tells the node a desired patch (already in the shared twin as {@code version}); true when it sent it to the device. */
    CompletableFuture<Boolean> desired(String address, DeviceId device, ObjectNode patch, long version) {
        return send(address, "/cluster/v1/devices/" + enc(device.value()) + "/desired?version=" + version,
                patch.toString().getBytes(StandardCharsets.UTF_8), NOTICE_TIMEOUT).map(r -> r.status() == 204)
                .toCompletionStage().toCompletableFuture();
    }

    /** Tells the node that cloud-to-device messages wait for the device in the shared queue. */
    CompletableFuture<Boolean> cloudToDeviceQueued(String address, DeviceId device) {
        return send(address, "/cluster/v1/devices/" + enc(device.value()) + "/c2d", new byte[0], NOTICE_TIMEOUT).map(r -> r.status() == 204)
                .toCompletionStage().toCompletableFuture();
    }

    /** Asks the node to close the device's connection {@code connectionId}: a newer one replaced it. */
    CompletableFuture<Boolean> closeReplaced(String address, DeviceId device, String connectionId) {
        return send(address, "/cluster/v1/devices/" + enc(device.value()) + "/close?connection=" + enc(connectionId), new byte[0],
                NOTICE_TIMEOUT).map(r -> r.status() == 204).toCompletionStage().toCompletableFuture();
    }

    /** Asks the node to close the device's connection: it was disabled or removed from the registry. */
    CompletableFuture<Boolean> disconnect(String address, DeviceId device, String reason) {
        return send(address, "/cluster/v1/devices/" + enc(device.value()) + "/disconnect?reason=" + enc(reason), new byte[0],
                NOTICE_TIMEOUT).map(r -> r.status() == 204).toCompletionStage().toCompletableFuture();
    }

    /** The node's identity, to tell whether a registered node id is still held by a running process. */
    CompletableFuture<String> ping(String address) {
        return request(address, HttpMethod.GET, "/cluster/v1/node", null, Duration.ofSeconds(2))
                .map(r -> r.status() == 200 ? r.body().toString() : null).toCompletionStage().toCompletableFuture();
    }

    private record Response(int status, io.vertx.core.MultiMap headers, Buffer body) {
    }

    private Future<Response> send(String address, String uri, byte[] body, Duration timeout) {
        return request(address, HttpMethod.POST, uri, body, timeout);
    }

    private Future<Response> request(String address, HttpMethod method, String uri, byte[] body, Duration timeout) {
        int colon = address.lastIndexOf(':');
        RequestOptions options = new RequestOptions().setMethod(method).setHost(address.substring(0, colon))
                .setPort(Integer.parseInt(address.substring(colon + 1))).setURI(uri).setIdleTimeout(timeout.toMillis())
                .putHeader("Authorization", authorization);
        return client.request(options)
                .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}

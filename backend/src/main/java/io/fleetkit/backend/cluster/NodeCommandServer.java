package io.fleetkit.backend.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.gateway.MqttDeviceCommands;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hub node's command endpoint: what the other nodes and the backend ask of the devices connected here. HTTPS with the hub's
 * server certificate; every request carries the cluster's secret as a bearer token. Routes (all POST but the ping):
 * <pre>
 * /cluster/v1/devices/{id}/methods/{name}?timeoutMs=N   body: the payload → 200, fleetkit-method-status, fleetkit-from-hub, body
 * /cluster/v1/devices/{id}/desired?version=N            body: the patch   → 204 sent, 404 not here or not listening
 * /cluster/v1/devices/{id}/c2d                                             → 204 (delivers what waits in the shared queue)
 * /cluster/v1/devices/{id}/close?connection=C                              → 204 closed, 404 not here
 * GET /cluster/v1/node                                                     → {"nodeId":…,"instance":…}
 * </pre>
 * Bounded: bodies up to the method payload limit, at most {@link #MAX_IN_FLIGHT} requests at a time (503 beyond).
 */
final class NodeCommandServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_IN_FLIGHT = 4096;
    static final String STATUS = "fleetkit-method-status";
    static final String FROM_HUB = "fleetkit-from-hub";

    private final HttpServer server;
    private final AtomicInteger inFlight = new AtomicInteger();

    private NodeCommandServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code bind:port} (0: a free port).
     *
     * @param local the devices connected to this process; null until the hub has started (requests get 503 until then)
     */
    static NodeCommandServer start(Vertx vertx, PkiDirectory pki, String bind, int port, byte[] secret, int nodeId, String instance,
                                   java.util.function.Supplier<MqttDeviceCommands> local) {
        HttpServerOptions options = new HttpServerOptions().setHost(bind).setPort(port).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pki.dir().resolve(PkiDirectory.SERVER + ".pem").toString())
                        .setKeyPath(pki.dir().resolve(PkiDirectory.SERVER + ".key").toString()))
                .setIdleTimeout(120).setMaxFormAttributeSize(0);
        NodeCommandServer[] self = new NodeCommandServer[1];
        HttpServer server = vertx.createHttpServer(options).requestHandler(req -> self[0].handle(req, secret, nodeId, instance, local.get()));
        try {
            server.listen().toCompletionStage().toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("cannot listen for the other nodes on " + bind + ":" + port + ": " + e.getCause().getMessage()
                    + " (choose another with --cluster-port)", e.getCause());
        }
        self[0] = new NodeCommandServer(server);
        return self[0];
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req, byte[] secret, int nodeId, String instance, MqttDeviceCommands local) {
        String auth = req.getHeader("Authorization");
        if (auth == null || !MessageDigest.isEqual(("Bearer " + new String(secret, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII),
                auth.getBytes(StandardCharsets.US_ASCII))) {
            end(req, 401, "the cluster's node token is missing or wrong");
            return;
        }
        String[] path = req.path().split("/");
        if (req.method().name().equals("GET") && req.path().equals("/cluster/v1/node")) {
            req.response().putHeader("Content-Type", "application/json")
                    .end(JSON.createObjectNode().put("nodeId", nodeId).put("instance", instance).toString());
            return;
        }
        // "", "cluster", "v1", "devices", id, action[, name]
        if (!req.method().name().equals("POST") || path.length < 6 || !path[1].equals("cluster") || !path[2].equals("v1") || !path[3].equals("devices")) {
            end(req, 404, "no such route: " + req.method() + " " + req.path());
            return;
        }
        if (local == null) {
            end(req, 503, "this node's hub has not started yet");
            return;
        }
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            end(req, 503, "more than " + MAX_IN_FLIGHT + " commands in flight on this node");
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable done = () -> {
            if (counted.getAndSet(false)) {
                inFlight.decrementAndGet();
            }
        };
        req.response().endHandler(v -> done.run());
        req.response().closeHandler(v -> done.run()); // the caller went away before the answer
        req.response().exceptionHandler(e -> done.run());
        DeviceId device;
        try {
            device = DeviceId.of(java.net.URLDecoder.decode(path[4], StandardCharsets.UTF_8));
        } catch (ProtocolException | IllegalArgumentException e) {
            end(req, 400, "device id: " + e.getMessage());
            return;
        }
        req.body().onSuccess(body -> {
            try {
                route(req, path, device, body, local);
            } catch (RuntimeException e) {
                end(req, 400, e.getMessage());
            }
        }).onFailure(e -> end(req, 400, "cannot read the request: " + e.getMessage()));
    }

    private static void route(HttpServerRequest req, String[] path, DeviceId device, Buffer body, MqttDeviceCommands local) {
        switch (path[5]) {
            case "methods" -> {
                if (path.length != 7 || body.length() > Messages.METHOD_PAYLOAD_MAX_BYTES) {
                    end(req, 400, "expected /methods/{name} and a payload of at most " + Messages.METHOD_PAYLOAD_MAX_BYTES + " bytes");
                    return;
                }
                MethodName method = MethodName.of(path[6]);
                long timeoutMs = Long.parseLong(req.getParam("timeoutMs", "30000"));
                if (timeoutMs <= 0 || timeoutMs > DeviceCommands.MAX_METHOD_TIMEOUT.toMillis()) {
                    end(req, 400, "timeoutMs: 1–" + DeviceCommands.MAX_METHOD_TIMEOUT.toMillis() + ", was " + timeoutMs);
                    return;
                }
                local.invokeMethod(device, method, body.getBytes(), Duration.ofMillis(timeoutMs)).thenAccept(r -> answer(req, r));
            }
            case "desired" -> {
                long version = Long.parseLong(req.getParam("version", "0"));
                JsonNode patch = readJson(body);
                if (!(patch instanceof ObjectNode o) || version < 1) {
                    end(req, 400, "expected ?version=N and a JSON object");
                    return;
                }
                end(req, local.publishDesired(device, o, version) ? 204 : 404, null);
            }
            case "c2d" -> {
                local.deliverCloudToDevice(device);
                end(req, 204, null);
            }
            case "close" -> {
                String connection = req.getParam("connection");
                end(req, connection != null && local.closeReplaced(device, connection) ? 204 : 404, null);
            }
            case "disconnect" -> end(req, local.disconnect(device, req.getParam("reason", "asked by another node")).join() ? 204 : 404, null);
            default -> end(req, 404, "no such route: " + req.path());
        }
    }

    private static void answer(HttpServerRequest req, MethodResult r) {
        if (!req.response().ended()) {
            req.response().putHeader(STATUS, Integer.toString(r.status())).putHeader(FROM_HUB, Boolean.toString(r.fromHub()))
                    .end(Buffer.buffer(r.payload()));
        }
    }

    private static JsonNode readJson(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static void end(HttpServerRequest req, int status, String message) {
        if (req.response().ended()) {
            return;
        }
        req.response().setStatusCode(status);
        if (message == null) {
            req.response().end();
        } else {
            req.response().putHeader("Content-Type", "application/json").end(JSON.createObjectNode().put("message", message).toString());
        }
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
    }
}

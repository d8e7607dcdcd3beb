package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Twins and direct methods of IoT Hub's service API (https://learn.microsoft.com/rest/api/iothub/service/devices/get-twin,
 * …/update-twin, …/replace-twin, …/invoke-method): a desired patch reaches the connected device on
 * {@code $iothub/twin/PATCH/properties/desired/}; tags stay with the back end; {@code If-Match} etags guard concurrent
 * writers; a method waits {@code connectTimeoutInSeconds} for an offline device, then answers 404103, and 504101 when the
 * device does not answer within {@code responseTimeoutInSeconds}.
 */
final class TwinRoutes {
    /** Method calls waiting for their device to connect, at most (more are IoT Hub's 429 throttling). */
    static final int MAX_WAITING_FOR_CONNECT = 1000;
    private static final long RECHECK_MS = 250;
    private final DeviceRegistry registry;
    private final DeviceCommands commands;
    private final SasAuthenticator sas;
    private final AtomicInteger waitingForConnect = new AtomicInteger();

    TwinRoutes(DeviceRegistry registry, DeviceCommands commands, SasAuthenticator sas) {
        this.registry = registry;
        this.commands = commands;
        this.sas = sas;
    }

    void mount(Router router) {
        router.get("/twins/:id").handler(ctx -> RegistryRoutes.authorized(ctx, Permission.SERVICE_CONNECT, this::get, sas));
        router.patch("/twins/:id").handler(ctx -> RegistryRoutes.authorized(ctx, Permission.SERVICE_CONNECT, c -> update(c, false), sas));
        router.put("/twins/:id").handler(ctx -> RegistryRoutes.authorized(ctx, Permission.SERVICE_CONNECT, c -> update(c, true), sas));
        router.post("/twins/:id/methods").handler(ctx -> RegistryRoutes.authorized(ctx, Permission.SERVICE_CONNECT, this::invoke, sas));
    }

    static JsonNode body(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().length() == 0) {
            throw IotHubError.badRequest("the request has no body (expected JSON)");
        }
        try {
            return ServiceJson.JSON.readTree(ctx.body().buffer().getBytes());
        } catch (java.io.IOException e) {
            throw IotHubError.badRequest("the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static int intParam(RoutingContext ctx, String name, int absent, int min, int max) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw IotHubError.badRequest(name + ": an integer " + min + "–" + max + ", was '" + v + "'");
    }

    private Device device(DeviceId id) {
        return registry.find(id).orElseThrow(() -> IotHubError.deviceNotFound(id.value()));
    }

    private void get(RoutingContext ctx) {
        DeviceId id = RegistryRoutes.deviceId(ctx);
        RegistryRoutes.blocking(ctx, () -> ServiceJson.twin(device(id), commands.twin(id), commands.queuedCloudToDevice(id)))
                .onSuccess(json -> RegistryRoutes.send(ctx, 200, json, json.get("etag").asText())).onFailure(ctx::fail);
    }

    /** PATCH merges tags and desired properties; PUT replaces both (what the new twin lacks is deleted). */
    private void update(RoutingContext ctx, boolean replace) {
        DeviceId id = RegistryRoutes.deviceId(ctx);
        JsonNode body = body(ctx);
        if (!(body instanceof ObjectNode twin)) {
            throw IotHubError.badRequest("expected a twin as a JSON object: {\"tags\":{…},\"properties\":{\"desired\":{…}}}");
        }
        ObjectNode tags = object(twin, "tags");
        JsonNode properties = twin.path("properties");
        ObjectNode desired = properties.isObject() ? object((ObjectNode) properties, "desired") : null;
        JsonNode reported = properties.path("reported");
        if (reported.isObject() && reported.properties().stream().anyMatch(e -> !e.getKey().startsWith("$"))) {
            throw IotHubError.badRequest("properties.reported: only the device sets its reported properties");
        }
        if (!replace && tags == null && desired == null) {
            throw IotHubError.badRequest("nothing to patch: expected tags or properties.desired");
        }
        String ifMatch = ctx.request().getHeader("If-Match");
        RegistryRoutes.blocking(ctx, () -> {
            Device d = device(id);
            ObjectNode tagsPatch = tags;
            ObjectNode desiredPatch = desired;
            if (replace) {
                Twins.Snapshot now = commands.twin(id);
                tagsPatch = replacing(now.tags(), tags);
                desiredPatch = replacing(now.desired(), desired);
            }
            Twins.Snapshot after = commands.patchTwin(id, tagsPatch, desiredPatch, ifMatch).join();
            return ServiceJson.twin(d, after, commands.queuedCloudToDevice(id));
        }).onSuccess(json -> RegistryRoutes.send(ctx, 200, json, json.get("etag").asText())).onFailure(ctx::fail);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!(v instanceof ObjectNode o)) {
            throw IotHubError.badRequest(field + ": expected a JSON object");
        }
        return o;
    }

    /** A merge patch that turns {@code current} into {@code wanted}: every member {@code wanted} lacks set to null. */
    private static ObjectNode replacing(ObjectNode current, ObjectNode wanted) {
        ObjectNode patch = wanted == null ? ServiceJson.JSON.createObjectNode() : wanted.deepCopy();
        Iterator<String> names = current.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!patch.has(name)) {
                patch.putNull(name);
            }
        }
        return patch;
    }

    private void invoke(RoutingContext ctx) {
        DeviceId id = RegistryRoutes.deviceId(ctx);
        JsonNode body = body(ctx);
        String name = body.path("methodName").asText("");
        MethodName method;
        try {
            method = MethodName.of(name);
        } catch (ProtocolException | IllegalArgumentException e) {
            throw IotHubError.badRequest("methodName: " + e.getMessage());
        }
        int responseTimeout = seconds(body, "responseTimeoutInSeconds", 30, 5);
        int connectTimeout = seconds(body, "connectTimeoutInSeconds", 0, 0);
        JsonNode payload = body.get("payload");
        byte[] bytes = (payload == null ? ServiceJson.JSON.nullNode() : payload).toString().getBytes(StandardCharsets.UTF_8);
        long connectDeadline = System.nanoTime() + Duration.ofSeconds(connectTimeout).toNanos();
        RegistryRoutes.blocking(ctx, () -> device(id))
                .onSuccess(d -> call(ctx, id, method, bytes, responseTimeout, connectDeadline, false))
                .onFailure(ctx::fail);
    }

    /** IoT Hub's range for both timeouts: {@code min}–300 s. */
    private static int seconds(JsonNode body, String field, int absent, int min) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > DeviceCommands.MAX_METHOD_TIMEOUT.toSeconds()) {
            throw IotHubError.badRequest(field + ": " + min + "–" + DeviceCommands.MAX_METHOD_TIMEOUT.toSeconds() + " seconds, was " + v);
        }
        return v.asInt();
    }

    private void call(RoutingContext ctx, DeviceId id, MethodName method, byte[] payload, int responseTimeout, long connectDeadline, boolean waiting) {
        Future.fromCompletionStage(commands.invokeMethod(id, method, payload, Duration.ofSeconds(responseTimeout)), ctx.vertx().getOrCreateContext())
                .onFailure(e -> {
                    release(waiting);
                    ctx.fail(e);
                })
                .onSuccess(result -> {
                    if (result.isNotOnline() && System.nanoTime() < connectDeadline && !ctx.response().closed()) {
                        if (!waiting && waitingForConnect.incrementAndGet() > MAX_WAITING_FOR_CONNECT) {
                            waitingForConnect.decrementAndGet();
                            ctx.fail(IotHubError.of(429001, "ThrottlingException", MAX_WAITING_FOR_CONNECT
                                    + " method calls wait for their devices to connect already; try again later"));
                            return;
                        }
                        ctx.vertx().setTimer(RECHECK_MS, t -> call(ctx, id, method, payload, responseTimeout, connectDeadline, true));
                        return;
                    }
                    release(waiting);
                    answer(ctx, id, method, responseTimeout, result);
                });
    }

    private void release(boolean waiting) {
        if (waiting) {
            waitingForConnect.decrementAndGet();
        }
    }

    private static void answer(RoutingContext ctx, DeviceId id, MethodName method, int responseTimeout, MethodResult result) {
        if (result.isNotOnline()) {
            ctx.fail(IotHubError.method(404103, "DeviceNotOnline", "Timed out waiting for device to connect: device '" + id
                    + "' is not connected or not subscribed to direct methods."));
            return;
        }
        if (result.isTimeout()) {
            ctx.fail(IotHubError.method(504101, "GatewayTimeout", "Timed out waiting for the response from device: '" + id + "' did not answer '"
                    + method.value() + "' within " + responseTimeout + " s."));
            return;
        }
        ObjectNode out = ServiceJson.JSON.createObjectNode().put("status", result.status());
        try {
            out.set("payload", result.payload().length == 0 ? ServiceJson.JSON.nullNode() : ServiceJson.JSON.readTree(result.payload()));
        } catch (java.io.IOException notJson) {
            out.put("payload", result.payloadText());
        }
        RegistryRoutes.send(ctx, 200, out, null);
    }
}

package io.fleetkit.backend.api;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.DeviceStateStore.DeviceState;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Devices, their telemetry and direct methods. A user sees only devices they own; anything else
 * answers 404 exactly as an unknown device does. Operators see every device.
 */
final class DeviceApi {
    static final int PAGE_DEFAULT = 100;
    static final int PAGE_MAX = 1000;

    private final DeviceStateStore devices;
    private final TelemetryStore telemetry;
    private final DeviceCommands commands;

    DeviceApi(DeviceStateStore devices, TelemetryStore telemetry, DeviceCommands commands) {
        this.devices = devices;
        this.telemetry = telemetry;
        this.commands = commands;
    }

    void mount(Router router) {
        router.get("/api/v1/devices").handler(this::list);
        router.get("/api/v1/devices/:id").handler(this::get);
        router.get("/api/v1/devices/:id/telemetry").handler(this::telemetry);
        router.post("/api/v1/devices/:id/methods/:name").handler(this::invoke);
        router.get("/api/v1/devices/:id/twin").handler(this::twin);
        router.patch("/api/v1/devices/:id/twin").handler(this::patchTwin);
        router.post("/api/v1/devices/:id/messages").handler(this::sendMessage);
    }

    /**
     * A cloud-to-device message ({@code {"body": any JSON, "properties": {name: string}, "ttlSeconds": n}}; a string body is
     * sent as its text, anything else as JSON): queued for the device whether or not it is connected — IoT Hub's rules, at
     * most 50 waiting per device, 64 KB each with its properties, one hour to live unless said, at most two days — and
     * delivered at least once. 202 with the message id; a full queue is 429 (IoT Hub's 403004 DeviceMaximumQueueDepthExceeded:
     * fleetkit's own API says "try later", as the queue drains when the device reads).
     */
    private void sendMessage(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        JsonNode request = Requests.object(Requests.json(ctx), java.util.Set.of("body", "properties", "ttlSeconds"));
        JsonNode body = request.get("body");
        if (body == null) {
            throw ApiProblem.badRequest("/body", "the message needs a 'body' (any JSON value; a string is sent as its text)");
        }
        byte[] bytes = (body.isTextual() ? body.asText() : body.toString()).getBytes(StandardCharsets.UTF_8);
        java.util.Map<String, String> properties = applicationProperties(request.get("properties"));
        int size = bytes.length;
        for (var e : properties.entrySet()) {
            size += (e.getKey() + e.getValue()).getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > CloudToDeviceQueue.MAX_BYTES) {
            throw ApiProblem.badRequest("/body", "a cloud-to-device message is at most " + CloudToDeviceQueue.MAX_BYTES
                    + " bytes with its properties (IoT Hub's limit), this one is " + size);
        }
        int ttlSeconds = Requests.intField(request, "ttlSeconds", 0, 1, (int) CloudToDeviceQueue.MAX_TTL.toSeconds());
        Duration ttl = ttlSeconds == 0 ? null : Duration.ofSeconds(ttlSeconds);
        Responses.blocking(ctx, () -> visible(caller, id))
                .compose(s -> Responses.onContext(ctx, commands.sendCloudToDevice(id, bytes, properties, ttl)))
                .onSuccess(messageId -> Responses.send(ctx, 202, Responses.JSON.createObjectNode().put("deviceId", id.value())
                        .put("messageId", messageId).put("status", "queued")))
                .onFailure(ctx::fail);
    }

    /**
     * A message's application properties: an object of strings, none named like the hub's own ({@code $…}, {@code iothub-…};
     * stricter than {@code PropertyBag}'s {@code $.} rule, which is the wire's, so the REST caller hears it before the hub).
     */
    private static java.util.Map<String, String> applicationProperties(JsonNode props) {
        java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();
        if (props == null) {
            return properties;
        }
        if (!props.isObject()) {
            throw ApiProblem.badRequest("/properties", "'properties' must be an object of string values, was " + props.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        for (var it = props.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw ApiProblem.badRequest("/properties/" + e.getKey(), "property '" + e.getKey() + "' must be a string");
            }
            if (e.getKey().isEmpty() || e.getKey().startsWith("$") || e.getKey().startsWith("iothub-")) {
                throw ApiProblem.badRequest("/properties/" + e.getKey(), "property name '" + e.getKey()
                        + "' is not an application property's: not empty, not starting with '$' or 'iothub-' (the hub's own)");
            }
            properties.put(e.getKey(), e.getValue().asText());
        }
        return properties;
    }

    /** IoT Hub's limits on desired properties: 32 KB of JSON, objects nested at most 10 deep (iot-hub-devguide-device-twins). */
    static final int DESIRED_MAX_BYTES = 32 * 1024;
    static final int DESIRED_MAX_DEPTH = 10;

    private void twin(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        Responses.respond(ctx, Responses.blocking(ctx, () -> {
            visible(caller, id);
            return commands.twin(id);
        }), 200, t -> twinBody(id, t.toJson()));
    }

    /**
     * Patches the desired properties ({@code {"properties":{"desired":{…}}}}, IoT Hub's twin shape; JSON merge patch, null
     * deletes): kept in the twin and sent to the device at once when it is connected and listens; it reads them with its
     * next twin GET otherwise.
     */
    private void patchTwin(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        JsonNode body = Requests.object(Requests.json(ctx), java.util.Set.of("properties"));
        JsonNode properties = Requests.object(body.get("properties"), java.util.Set.of("desired"));
        if (!(properties.get("desired") instanceof ObjectNode desired)) {
            throw ApiProblem.badRequest("/properties/desired", "the body must be {\"properties\":{\"desired\":{…}}} with an object of desired properties");
        }
        int size = desired.toString().getBytes(StandardCharsets.UTF_8).length;
        if (size > DESIRED_MAX_BYTES) {
            throw ApiProblem.badRequest("/properties/desired", "desired properties are at most " + DESIRED_MAX_BYTES + " bytes of JSON (IoT Hub's limit), the patch is " + size);
        }
        if (depth(desired) > DESIRED_MAX_DEPTH) {
            throw ApiProblem.badRequest("/properties/desired", "desired properties nest at most " + DESIRED_MAX_DEPTH + " objects deep (IoT Hub's limit)");
        }
        Responses.blocking(ctx, () -> visible(caller, id))
                .compose(s -> Responses.onContext(ctx, commands.updateDesired(id, desired)))
                .onSuccess(version -> Responses.send(ctx, 200, Responses.JSON.createObjectNode().put("deviceId", id.value())
                        .set("properties", Responses.JSON.createObjectNode().set("desired", desired.deepCopy().put("$version", version)))))
                .onFailure(ctx::fail);
    }

    private static ObjectNode twinBody(DeviceId id, ObjectNode properties) {
        ObjectNode body = Responses.JSON.createObjectNode().put("deviceId", id.value());
        body.set("properties", properties);
        return body;
    }

    private static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            if (child.isObject()) {
                deepest = Math.max(deepest, depth(child));
            }
        }
        return deepest + 1;
    }

    /** The device if the caller may see it; 404 otherwise. Blocks on the store. */
    DeviceState visible(Caller caller, DeviceId id) {
        return devices.get(id)
                .filter(s -> caller.operator() || s.ownerId().filter(caller.userId()::equals).isPresent())
                .orElseThrow(() -> ApiProblem.noSuchDevice(id.value()));
    }

    private void list(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        String after = Requests.single(ctx, "after");
        String q = Requests.single(ctx, "q");
        if (q != null && q.length() > 128) {
            throw ApiProblem.badRequest("q", "query parameter 'q' must be at most 128 characters (a device id is), was " + q.length());
        }
        int limit = Requests.integer(ctx, "limit", PAGE_DEFAULT, 1, PAGE_MAX);
        var found = Responses.blocking(ctx, () -> caller.operator() ? devices.list(after, q, limit) : devices.listOwnedBy(caller.userId(), after, q, limit));
        Responses.respond(ctx, found, 200, page -> {
            ObjectNode body = Responses.JSON.createObjectNode();
            ArrayNode items = body.putArray("items");
            page.forEach(s -> items.add(Responses.device(s, caller)));
            body.put("next", page.size() < limit ? null
                    : "/api/v1/devices?after=" + enc(page.get(page.size() - 1).deviceId().value()) + (q == null ? "" : "&q=" + enc(q))
                    + "&limit=" + limit);
            return body;
        });
    }

    private void get(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        Responses.respond(ctx, Responses.blocking(ctx, () -> visible(caller, id)), 200, s -> Responses.device(s, caller));
    }

    private void telemetry(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        Instant from = Requests.instant(ctx, "from", Instant.EPOCH);
        Instant to = Requests.instant(ctx, "to", Instant.now().plus(Duration.ofDays(1)));
        int limit = Requests.integer(ctx, "limit", PAGE_DEFAULT, 1, PAGE_MAX);
        String afterSeqRaw = Requests.single(ctx, "afterSeq");
        long afterSeq;
        try {
            afterSeq = afterSeqRaw == null ? Long.MIN_VALUE : Long.parseLong(afterSeqRaw);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("afterSeq", "query parameter 'afterSeq' must be an integer, was '" + afterSeqRaw + "'");
        }
        if (!from.isBefore(to)) {
            throw ApiProblem.badRequest("from", "query parameter 'from' (" + from + ") must be before 'to' (" + to + ")");
        }
        Responses.respond(ctx, Responses.blocking(ctx, () -> {
            visible(caller, id);
            return telemetry.query(id, from, afterSeq, to, limit);
        }), 200, rows -> {
            ObjectNode body = Responses.JSON.createObjectNode().put("deviceId", id.value());
            ArrayNode items = body.putArray("items");
            rows.forEach(r -> items.add(Responses.telemetry(r)));
            body.put("next", rows.size() < limit ? null : next(id, rows, to, limit));
            return body;
        });
    }

    private static String next(DeviceId id, List<TelemetryStore.Row> rows, Instant to, int limit) {
        TelemetryStore.Row last = rows.get(rows.size() - 1);
        return "/api/v1/devices/" + enc(id.value()) + "/telemetry?from=" + enc(last.deviceTime().toString()) + "&afterSeq=" + last.seq()
                + "&to=" + enc(to.toString()) + "&limit=" + limit;
    }

    private void invoke(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        MethodName method;
        try {
            method = MethodName.of(ctx.pathParam("name"));
        } catch (ProtocolException e) {
            throw ApiProblem.badRequest("name", "method name: " + e.getMessage());
        }
        int timeoutSeconds = Requests.integer(ctx, "timeoutSeconds", 30, 5, (int) DeviceCommands.MAX_METHOD_TIMEOUT.toSeconds());
        JsonNode payload = Requests.json(ctx);
        byte[] bytes = (payload == null ? Responses.JSON.nullNode() : payload).toString().getBytes(StandardCharsets.UTF_8);
        Responses.blocking(ctx, () -> visible(caller, id))
                .compose(s -> Responses.onContext(ctx, commands.invokeMethod(id, method, bytes, Duration.ofSeconds(timeoutSeconds))))
                .onSuccess(result -> answer(ctx, id, method, timeoutSeconds, result))
                .onFailure(ctx::fail);
    }

    private static void answer(RoutingContext ctx, DeviceId id, MethodName method, int timeoutSeconds, MethodResult result) {
        if (result.isNotOnline()) {
            Problems.send(ctx, new ApiProblem(404, "Device not online", "device '" + id + "' is not connected (or not listening for methods)", null));
            return;
        }
        if (result.isTimeout()) {
            Problems.send(ctx, new ApiProblem(504, "Method timed out",
                    "device '" + id + "' did not answer '" + method.value() + "' within " + timeoutSeconds + " s", null));
            return;
        }
        ObjectNode body = Responses.JSON.createObjectNode().put("status", result.status());
        try {
            body.set("payload", result.payload().length == 0 ? Responses.JSON.nullNode() : Responses.JSON.readTree(result.payload()));
        } catch (java.io.IOException notJson) {
            body.put("payload", result.payloadText()); // a device that answered something other than JSON
        }
        Responses.send(ctx, 200, body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

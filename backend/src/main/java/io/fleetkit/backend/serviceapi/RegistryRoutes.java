package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The registry of IoT Hub's service API (https://learn.microsoft.com/rest/api/iothub/service/devices): add, read, update
 * and delete device identities, list them, count them. A device disabled here is disconnected at once and refused at its
 * next CONNECT; a device deleted loses its twin and its queued cloud-to-device messages, as on IoT Hub.
 */
final class RegistryRoutes {
    /** IoT Hub's largest page of a device list. */
    static final int MAX_TOP = 1000;
    private final DeviceRegistry registry;
    private final DeviceCommands commands;
    private final Clock clock;
    private final SasAuthenticator sas;

    RegistryRoutes(DeviceRegistry registry, DeviceCommands commands, Clock clock, SasAuthenticator sas) {
        this.registry = registry;
        this.commands = commands;
        this.clock = clock;
        this.sas = sas;
    }

    void mount(Router router) {
        router.put("/devices/:id").handler(ctx -> authorized(ctx, Permission.REGISTRY_WRITE, this::put));
        router.get("/devices/:id").handler(ctx -> authorized(ctx, Permission.REGISTRY_READ, this::get));
        router.delete("/devices/:id").handler(ctx -> authorized(ctx, Permission.REGISTRY_WRITE, this::delete));
        router.get("/devices").handler(ctx -> authorized(ctx, Permission.REGISTRY_READ, this::list));
        router.get("/statistics/devices").handler(ctx -> authorized(ctx, Permission.REGISTRY_READ, this::statistics));
    }

    /** Runs {@code handler} when the request's token carries {@code needed}; IoT Hub's 401 when not. */
    static void authorized(RoutingContext ctx, Permission needed, java.util.function.Consumer<RoutingContext> handler, SasAuthenticator sas) {
        try {
            sas.authenticate(ctx.request().getHeader("Authorization"), ctx.request().path(), needed);
        } catch (IotHubError e) {
            ServiceApiServer.fail(ctx, e);
            return;
        }
        handler.accept(ctx);
    }

    private void authorized(RoutingContext ctx, Permission needed, java.util.function.Consumer<RoutingContext> handler) {
        authorized(ctx, needed, handler, sas);
    }

    static DeviceId deviceId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        try {
            return DeviceId.of(id);
        } catch (ProtocolException | IllegalArgumentException e) {
            throw IotHubError.badRequest("device id '" + id + "': " + e.getMessage());
        }
    }

    /** The version an {@code If-Match} names: {@link DeviceRegistry#ANY_VERSION} for none or {@code *}. */
    private static long ifVersion(RoutingContext ctx) {
        String ifMatch = ctx.request().getHeader("If-Match");
        if (ifMatch == null || ifMatch.strip().equals("*") || ifMatch.strip().equals("\"*\"")) {
            return DeviceRegistry.ANY_VERSION;
        }
        long v = Device.versionOf(ifMatch);
        if (v < 0) {
            throw IotHubError.of(412001, "PreconditionFailed", "If-Match '" + ifMatch + "' is not an etag this hub gave");
        }
        return v;
    }

    static <T> Future<T> blocking(RoutingContext ctx, Callable<T> work) {
        return ctx.vertx().executeBlocking(work, false);
    }

    static void send(RoutingContext ctx, int status, JsonNode body, String etag) {
        var response = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8");
        if (etag != null) {
            response.putHeader("ETag", "\"" + etag + "\"");
        }
        response.end(body.toString());
    }

    private void put(RoutingContext ctx) {
        DeviceId id = deviceId(ctx);
        JsonNode body = TwinRoutes.body(ctx);
        ServiceJson.Identity identity = ServiceJson.identity(body);
        if (identity.deviceId() != null && !identity.deviceId().equals(id.value())) {
            throw IotHubError.badRequest("deviceId '" + identity.deviceId() + "' in the body is not '" + id + "' of the path");
        }
        boolean create = ctx.request().getHeader("If-Match") == null;
        long ifVersion = ifVersion(ctx);
        blocking(ctx, () -> {
            Device d = create ? registry.add(id, identity.status(), identity.authentication(), identity.thumbprints(), clock.instant())
                    : registry.update(id, identity.status(), identity.authentication(), identity.thumbprints(), ifVersion);
            if (d.status() == DeviceStatus.DISABLED) {
                commands.disconnect(id, "disabled through the service API");
            }
            return ServiceJson.device(d, commands.queuedCloudToDevice(id)).put("etag", d.etag());
        }).onSuccess(json -> send(ctx, 200, json, json.get("etag").asText())).onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        DeviceId id = deviceId(ctx);
        blocking(ctx, () -> {
            Device d = registry.find(id).orElseThrow(() -> IotHubError.deviceNotFound(id.value()));
            return ServiceJson.device(d, commands.queuedCloudToDevice(id));
        }).onSuccess(json -> send(ctx, 200, json, json.get("etag").asText())).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        DeviceId id = deviceId(ctx);
        long ifVersion = ifVersion(ctx);
        blocking(ctx, () -> {
            registry.remove(id, ifVersion).orElseThrow(() -> IotHubError.deviceNotFound(id.value()));
            commands.removed(id);
            return true;
        }).onSuccess(done -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        int top = TwinRoutes.intParam(ctx, "top", MAX_TOP, 1, MAX_TOP);
        blocking(ctx, () -> {
            ArrayNode out = ServiceJson.JSON.createArrayNode();
            for (Device d : registry.list(0, top)) {
                out.add(ServiceJson.device(d, 0));
            }
            return out;
        }).onSuccess(json -> send(ctx, 200, json, null)).onFailure(ctx::fail);
    }

    private void statistics(RoutingContext ctx) {
        blocking(ctx, () -> {
            long enabled = 0;
            long total = 0;
            for (int offset = 0; ; offset += MAX_TOP) {
                List<Device> page = registry.list(offset, MAX_TOP);
                total += page.size();
                enabled += page.stream().filter(Device::isEnabled).count();
                if (page.size() < MAX_TOP) {
                    break;
                }
            }
            return ServiceJson.JSON.createObjectNode().put("totalDeviceCount", total).put("enabledDeviceCount", enabled)
                    .put("disabledDeviceCount", total - enabled);
        }).onSuccess(json -> send(ctx, 200, json, null)).onFailure(ctx::fail);
    }
}

package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.backend.store.ClaimStore;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.protocol.id.DeviceId;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Ownership: claims (proved by the device's button), releasing a device, and erasing a user. */
final class ClaimApi {
    private static final Set<String> CLAIM_FIELDS = Set.of("windowSeconds");

    private final ClaimService claims;
    private final ClaimStore claimStore;
    private final DeviceStateStore devices;
    private final DeviceApi deviceApi;

    ClaimApi(ClaimService claims, ClaimStore claimStore, DeviceStateStore devices, DeviceApi deviceApi) {
        this.claims = claims;
        this.claimStore = claimStore;
        this.devices = devices;
        this.deviceApi = deviceApi;
    }

    void mount(Router router) {
        router.post("/api/v1/devices/:id/claims").handler(this::start);
        router.get("/api/v1/claims/:claimId").handler(this::get);
        router.delete("/api/v1/devices/:id/owner").handler(this::release);
        router.delete("/api/v1/me").handler(this::erase);
    }

    private void start(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        JsonNode body = Requests.object(Requests.json(ctx), CLAIM_FIELDS);
        int window = Requests.intField(body, "windowSeconds", ClaimService.DEFAULT_WINDOW_SECONDS, 10, 600);
        Responses.blocking(ctx, () -> claims.start(caller.userId(), id, window)) // a ClaimRefused is answered by Problems
                .compose(started -> Responses.onContext(ctx, started))
                .onSuccess(claim -> {
                    ctx.response().putHeader("Location", "/api/v1/claims/" + claim.claimId());
                    Responses.send(ctx, 202, Responses.claim(claim));
                })
                .onFailure(ctx::fail);
    }


    private void get(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        String claimId = ctx.pathParam("claimId");
        var found = Responses.blocking(ctx, () -> claims.get(claimId)
                .filter(c -> caller.operator() || c.userId().equals(caller.userId()))
                .orElseThrow(() -> new ApiProblem(404, "Not found", "no claim '" + claimId + "' of yours", null)));
        Responses.respond(ctx, found, 200, Responses::claim);
    }

    private void release(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        DeviceId id = Requests.deviceId(ctx);
        Responses.blocking(ctx, () -> {
            deviceApi.visible(caller, id);
            return devices.clearOwner(id);
        }).onSuccess(released -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    /** GDPR erase: the caller owns nothing afterwards and their claims are forgotten. */
    private void erase(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        var erased = Responses.blocking(ctx, () -> new int[]{devices.clearOwnerEverywhere(caller.userId()), claimStore.deleteByUser(caller.userId())});
        Responses.respond(ctx, erased, 200, n -> Responses.JSON.createObjectNode()
                .put("devicesReleased", n[0]).put("claimsErased", n[1]));
    }
}

package io.fleetkit.backend.api;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The swarm running in this process (the demo's), for operators: its state, size, telemetry rate,
 * method overrides and the simulated button. 404 when no swarm is attached ({@code fleetkit serve}).
 */
public final class SwarmApi {
    private static final Set<String> RESIZE_FIELDS = Set.of("devices", "rateMultiplier");
    private static final Set<String> OVERRIDE_FIELDS = Set.of("device", "status", "payload", "delayMs", "noAnswer");

    private final Supplier<SwarmControl> swarm;

    SwarmApi(Supplier<SwarmControl> swarm) {
        this.swarm = swarm;
    }

    void mount(Router router) {
        router.get("/api/v1/swarm").handler(this::status);
        router.patch("/api/v1/swarm").handler(this::change);
        router.put("/api/v1/swarm/overrides/:method").handler(this::setOverride);
        router.delete("/api/v1/swarm/overrides/:method").handler(this::clearOverride);
        router.post("/api/v1/swarm/devices/:id/button").handler(this::pressButton);
    }

    private SwarmControl swarm(RoutingContext ctx) {
        Requests.operator(ctx);
        SwarmControl s = swarm.get();
        if (s == null) {
            throw new ApiProblem(404, "No swarm", "no simulated swarm runs in this process ('fleetkit demo' runs one; "
                    + "'fleetkit serve' serves devices that run elsewhere)", null);
        }
        return s;
    }

    private void status(RoutingContext ctx) {
        SwarmControl s = swarm(ctx);
        Responses.respond(ctx, Responses.blocking(ctx, s::status), 200, SwarmApi::json);
    }

    private void change(RoutingContext ctx) {
        SwarmControl s = swarm(ctx);
        JsonNode body = Requests.object(Requests.json(ctx), RESIZE_FIELDS);
        int devices = Requests.intField(body, "devices", -1, 0, Integer.MAX_VALUE);
        double rate = Requests.numberField(body, "rateMultiplier", 0.01, 1000);
        if (devices < 0 && Double.isNaN(rate)) {
            throw ApiProblem.badRequest("", "give 'devices' (how many powered on; 0 stops the swarm) or 'rateMultiplier', or both");
        }
        Responses.respond(ctx, Responses.blocking(ctx, () -> {
            try {
                if (devices >= 0) {
                    s.resize(devices);
                }
                if (!Double.isNaN(rate)) {
                    s.changeRate(rate);
                }
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest(devices >= 0 ? "/devices" : "/rateMultiplier", e.getMessage());
            }
            return s.status();
        }), 200, SwarmApi::json);
    }

    private void setOverride(RoutingContext ctx) {
        SwarmControl s = swarm(ctx);
        JsonNode body = Requests.object(Requests.json(ctx), OVERRIDE_FIELDS);
        Optional<String> device = Optional.ofNullable(Requests.stringField(body, "device")).filter(d -> !d.isEmpty());
        int status = Requests.intField(body, "status", -1, 100, 599);
        long delay = Requests.intField(body, "delayMs", 0, 0, 600_000);
        boolean noAnswer = Requests.booleanField(body, "noAnswer", false);
        Optional<String> payload = Optional.ofNullable(body.get("payload")).map(JsonNode::toString);
        var override = new SwarmControl.MethodAnswer(status < 0 ? OptionalInt.empty() : OptionalInt.of(status), payload, delay, noAnswer);
        apply(ctx, s, device, Optional.of(override));
    }

    private void clearOverride(RoutingContext ctx) {
        SwarmControl s = swarm(ctx);
        apply(ctx, s, Optional.ofNullable(Requests.single(ctx, "device")).filter(d -> !d.isEmpty()), Optional.empty());
    }

    private void apply(RoutingContext ctx, SwarmControl s, Optional<String> device, Optional<SwarmControl.MethodAnswer> override) {
        String method = ctx.pathParam("method");
        Responses.respond(ctx, Responses.blocking(ctx, () -> {
            boolean found;
            try {
                found = s.override(method, device, override);
            } catch (IllegalArgumentException | ProtocolException e) {
                throw ApiProblem.badRequest("", e.getMessage());
            }
            if (!found) {
                throw new ApiProblem(404, "Not found", "no device '" + device.orElseThrow() + "' in the swarm", null);
            }
            return s.status();
        }), 200, SwarmApi::json);
    }

    private void pressButton(RoutingContext ctx) {
        SwarmControl s = swarm(ctx);
        String id = ctx.pathParam("id");
        Responses.blocking(ctx, () -> {
            if (!s.pressButton(id)) {
                throw new ApiProblem(404, "Not found", "no device '" + id + "' in the swarm", null);
            }
            return null;
        }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }

    /** The swarm's JSON representation (the API's and the fleet snapshot's). */
    public static ObjectNode json(SwarmControl.Status s) {
        ObjectNode n = Responses.JSON.createObjectNode().put("active", s.active()).put("size", s.size())
                .put("maxDevices", s.maxDevices()).put("rateMultiplier", s.rateMultiplier()).put("model", s.model());
        ObjectNode states = n.putObject("states");
        s.states().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> states.put(e.getKey(), e.getValue()));
        ObjectNode overrides = n.putObject("overrides");
        s.overrides().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(scope -> {
            ObjectNode byMethod = overrides.putObject(scope.getKey());
            scope.getValue().forEach((method, o) -> {
                ObjectNode m = byMethod.putObject(method);
                if (o.status().isPresent()) {
                    m.put("status", o.status().getAsInt());
                }
                o.payloadJson().ifPresent(p -> {
                    try {
                        m.set("payload", Responses.JSON.readTree(p));
                    } catch (java.io.IOException e) {
                        m.put("payload", p);
                    }
                });
                m.put("delayMs", o.delayMillis()).put("noAnswer", o.noAnswer());
            });
        });
        ObjectNode puback = n.putObject("pubackMs");
        s.pubackMillis().forEach(puback::put);
        ObjectNode failures = n.putObject("failures");
        s.failures().forEach(failures::put);
        return n;
    }
}

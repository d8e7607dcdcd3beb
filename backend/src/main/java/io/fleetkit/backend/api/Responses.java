package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.store.ClaimStore.Claim;
import io.fleetkit.backend.store.DeviceStateStore.DeviceState;
import io.fleetkit.backend.store.TelemetryStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** The API's JSON representations, and running store work off the event loop. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    /** Runs {@code work} (which may block on the store) on a worker thread. */
    static <T> Future<T> blocking(RoutingContext ctx, Callable<T> work) {
        return ctx.vertx().executeBlocking(work, false);
    }

    /** A future of the hub's, continued on the request's event loop. */
    static <T> Future<T> onContext(RoutingContext ctx, CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
    }

    static void send(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(body.toString()));
    }

    /** Answers with {@code render(value)} when {@code result} succeeds, through the failure handler when not. */
    static <T> void respond(RoutingContext ctx, Future<T> result, int status, Function<T, JsonNode> render) {
        result.onSuccess(value -> send(ctx, status, render.apply(value))).onFailure(ctx::fail);
    }

    /** A device's state; the owner's id only for operators (a user sees whether it is theirs). */
    static ObjectNode device(DeviceState s, Caller caller) {
        ObjectNode n = JSON.createObjectNode().put("deviceId", s.deviceId().value()).put("online", s.online());
        put(n, "lastSeen", s.lastSeen());
        n.put("modelId", s.modelId().orElse(null));
        n.put("firmwareVersion", s.firmwareVersion().orElse(null));
        put(n, "lastBoot", s.lastBoot());
        n.put("resetReason", s.resetReason().orElse(null));
        if (caller.operator()) {
            n.put("ownerId", s.ownerId().orElse(null));
        } else {
            n.put("owned", s.ownerId().isPresent() && s.ownerId().get().equals(caller.userId()));
        }
        return n;
    }

    static ObjectNode telemetry(TelemetryStore.Row r) {
        ObjectNode n = JSON.createObjectNode().put("seq", r.seq()).put("deviceTime", r.deviceTime().toString())
                .put("enqueuedTime", r.enqueued().toString());
        try {
            n.set("readings", JSON.readTree(r.readings()));
        } catch (java.io.IOException e) {
            n.put("readings", r.readings()); // stored by the telemetry processor as JSON; kept as text if not
        }
        return n;
    }

    static ObjectNode claim(Claim c) {
        ObjectNode n = JSON.createObjectNode().put("claimId", c.claimId()).put("deviceId", c.deviceId().value())
                .put("status", c.status().name()).put("created", c.created().toString()).put("expires", c.expires().toString());
        put(n, "decided", c.decided());
        n.put("reason", c.reason().orElse(null));
        return n;
    }

    private static void put(ObjectNode n, String name, Optional<Instant> t) {
        n.put(name, t.map(Instant::toString).orElse(null));
    }
}

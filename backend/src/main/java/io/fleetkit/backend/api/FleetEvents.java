package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * The fleet at a glance, for the dashboard: one snapshot ({@code GET /api/v1/fleet}) or a
 * server-sent event with a fresh snapshot every second ({@code GET /api/v1/fleet/events}).
 * Rates are left to the client (the difference of two snapshots), so the server keeps no state
 * per viewer.
 */
final class FleetEvents {
    static final String PATH = "/api/v1/fleet/events";
    private static final long PERIOD_MS = 1000;

    private FleetEvents() {
    }

    static void snapshot(RoutingContext ctx, Supplier<ObjectNode> fleet) {
        Responses.respond(ctx, Responses.blocking(ctx, fleet::get), 200, n -> n);
    }

    static void stream(RoutingContext ctx, Supplier<ObjectNode> fleet) {
        HttpServerResponse r = ctx.response();
        r.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        r.write("retry: 2000\n\n");
        long timer = ctx.vertx().setPeriodic(1, PERIOD_MS, id -> ctx.vertx().executeBlocking(fleet::get, false).onSuccess(n -> {
            // a viewer that does not read is skipped, not queued for: the write queue holds at most its high-water mark
            if (!r.closed() && !r.ended() && !r.writeQueueFull()) {
                r.write("event: fleet\ndata: " + n + "\n\n");
            }
        }));
        r.closeHandler(v -> ctx.vertx().cancelTimer(timer));
        r.exceptionHandler(e -> ctx.vertx().cancelTimer(timer));
    }
}

package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes RFC 9457 problem details ({@code application/problem+json}); never a stack trace. */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    static void send(RoutingContext ctx, ApiProblem p) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("type", "about:blank")
                .put("title", p.title())
                .put("status", p.status())
                .put("detail", p.detail())
                .put("instance", ctx.request().path());
        if (p.field() != null) {
            body.put("field", p.field());
        }
        if (p.status() == 401) {
            // RFC 6750: say why the token was refused
            ctx.response().putHeader("WWW-Authenticate",
                    "Bearer realm=\"fleetkit\", error=\"invalid_token\", error_description=\"" + p.detail().replace("\"", "'") + "\"");
        }
        ctx.response().setStatusCode(p.status()).putHeader("Content-Type", MEDIA_TYPE)
                .end(Buffer.buffer(body.toString()));
    }

    /** The router's failure handler: known problems as themselves, everything else as a logged 500. */
    static void onFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        while (failure != null && !(failure instanceof ApiProblem) && failure.getCause() != null
                && (failure instanceof java.util.concurrent.CompletionException || failure instanceof java.util.concurrent.ExecutionException)) {
            failure = failure.getCause();
        }
        if (failure instanceof ApiProblem p) {
            send(ctx, p);
        } else if (failure == null) {
            send(ctx, forStatus(ctx.statusCode(), ctx));
        } else if (failure instanceof IllegalArgumentException bad) {
            send(ctx, ApiProblem.badRequest(null, bad.getMessage()));
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            send(ctx, new ApiProblem(500, "Internal server error",
                    "the server failed to answer (" + failure.getClass().getSimpleName() + "); the server log has the details", null));
        }
    }

    /** Vert.x's own refusals (no route, wrong method, body too large) in the same format. */
    static ApiProblem forStatus(int status, RoutingContext ctx) {
        return switch (status) {
            case 404 -> new ApiProblem(404, "Not found", "no resource at " + ctx.request().path(), null);
            case 405 -> new ApiProblem(405, "Method not allowed", ctx.request().method() + " is not allowed on " + ctx.request().path(), null);
            case 413 -> new ApiProblem(413, "Content too large", "the request body is larger than the API accepts", null);
            case 400 -> new ApiProblem(400, "Bad request", "the request could not be read", null);
            default -> new ApiProblem(status < 400 ? 500 : status, "Error", "the request failed with status " + status, null);
        };
    }
}

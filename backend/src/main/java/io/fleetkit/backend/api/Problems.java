package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.FleetkitException;
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
                .put("type", p.kind().problemType())
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

    /**
     * The REST edge's one translation of failures: an {@link ApiProblem} as itself; any other {@link FleetkitException} with
     * the status of its kind and its message; anything else — an {@link IllegalArgumentException} from a programming error
     * included — as a logged 500 whose body says nothing of the server's insides.
     */
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
        } else if (failure instanceof FleetkitException f) {
            if (!f.isClientFault()) {
                LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), f.toString());
            }
            send(ctx, of(f));
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            send(ctx, new ApiProblem(500, "Internal server error",
                    "the server failed to answer (" + failure.getClass().getSimpleName() + "); the server log has the details", null));
        }
    }

    /**
     * A request Vert.x could not decode, before any route: a request line past its limit (414), headers past theirs (431),
     * anything else malformed (400). Answered with a problem like every other error, then the connection is closed: after a
     * malformed request the stream cannot be trusted to be in step.
     */
    static void onInvalidRequest(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiProblem p;
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            p = new ApiProblem(414, "URI too long", "the request line is longer than the API accepts (4,096 bytes)", null);
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            p = new ApiProblem(431, "Request header fields too large", "the request's headers are larger than the API accepts (8,192 bytes)",
                    null);
        } else {
            p = new ApiProblem(400, "Bad request", "the request could not be read as HTTP: "
                    + (cause == null ? "malformed" : cause.getMessage()), null);
        }
        ObjectNode body = JSON.createObjectNode().put("type", p.kind().problemType()).put("title", p.title()).put("status", p.status())
                .put("detail", p.detail());
        request.response().setStatusCode(p.status()).putHeader("Content-Type", MEDIA_TYPE).putHeader("Connection", "close")
                .end(Buffer.buffer(body.toString())).onComplete(done -> request.connection().close());
    }

    /** A failure of the family as the problem its kind names. */
    static ApiProblem of(FleetkitException f) {
        return switch (f.kind()) {
            case INVALID_INPUT -> new ApiProblem(400, "Bad request", f.getMessage(), null);
            case UNAUTHENTICATED -> new ApiProblem(401, "Unauthorized", f.getMessage(), null);
            case FORBIDDEN -> new ApiProblem(403, "Forbidden", f.getMessage(), null);
            case NOT_FOUND -> new ApiProblem(404, "Not found", f.getMessage(), null);
            case CONFLICT -> new ApiProblem(409, "Conflict", f.getMessage(), null);
            case PRECONDITION_FAILED -> new ApiProblem(412, "Precondition failed", f.getMessage(), null);
            case THROTTLED -> new ApiProblem(429, "Too many requests", f.getMessage(), null);
            case UNAVAILABLE -> new ApiProblem(503, "Service unavailable", f.getMessage(), null);
            case TIMEOUT -> new ApiProblem(504, "Gateway timeout", f.getMessage(), null);
            case INTERNAL -> new ApiProblem(500, "Internal server error", f.getMessage(), null);
        };
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

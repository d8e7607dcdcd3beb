package io.fleetkit.backend.api;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fleetkit.protocol.id.DeviceId;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reading request parameters and bodies strictly: every refusal is a 400 naming the parameter or JSON pointer. */
final class Requests {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Requests() {
    }

    /** The {@code id} path parameter as a device id; a malformed one cannot exist, so it is 404 like an unknown one. */
    static DeviceId deviceId(RoutingContext ctx) {
        String raw = ctx.pathParam("id");
        try {
            return DeviceId.of(raw);
        } catch (ProtocolException e) {
            throw ApiProblem.noSuchDevice(raw);
        }
    }

    static Instant instant(RoutingContext ctx, String name, Instant absent) {
        return instant(name, single(ctx, name), absent);
    }

    /** The query parameter {@code name}, given as {@code raw} (null when absent), as an instant. */
    static Instant instant(String name, String raw, Instant absent) {
        if (raw == null) {
            return absent;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name, "query parameter '" + name + "' must be an ISO-8601 instant such as 2026-11-26T20:00:00Z, was '" + raw + "'");
        }
    }

    static int integer(RoutingContext ctx, String name, int absent, int min, int max) {
        return integer(name, single(ctx, name), absent, min, max);
    }

    /** The query parameter {@code name}, given as {@code raw} (null when absent), as an integer in [min, max]. */
    static int integer(String name, String raw, int absent, int min, int max) {
        if (raw == null) {
            return absent;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw ApiProblem.badRequest(name, "query parameter '" + name + "' must be " + min + "–" + max + ", was " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name, "query parameter '" + name + "' must be an integer, was '" + raw + "'");
        }
    }

    static String single(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() > 1) {
            throw ApiProblem.badRequest(name, "query parameter '" + name + "' is given " + values.size() + " times; give it once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /** The body as one JSON value, or null when there is none. */
    static JsonNode json(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        return body == null ? null : json(body.getBytes());
    }

    /** The bytes as one JSON value, or null when there are none. */
    static JsonNode json(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ApiProblem.badRequest("", "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiProblem.badRequest("", "the body could not be read: " + e.getMessage());
        }
    }

    /** Checks that {@code body} is an object whose members are all in {@code allowed}; null is an empty object. */
    static JsonNode object(JsonNode body, Set<String> allowed) {
        if (body == null) {
            return STRICT.createObjectNode();
        }
        if (!body.isObject()) {
            throw ApiProblem.badRequest("", "the body must be a JSON object, was " + kind(body));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiProblem.badRequest("/" + name, "unknown field '" + name + "'; the body may have " + allowed);
            }
        }
        return body;
    }

    /** An optional integer member of an object checked by {@link #object}. */
    static int intField(JsonNode object, String name, int absent, int min, int max) {
        JsonNode v = object.get(name);
        if (v == null) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be an integer, was " + kind(v));
        }
        if (v.intValue() < min || v.intValue() > max) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be " + min + "–" + max + ", was " + v.intValue());
        }
        return v.intValue();
    }

    /** An optional number member of an object checked by {@link #object}; NaN when absent. */
    static double numberField(JsonNode object, String name, double min, double max) {
        JsonNode v = object.get(name);
        if (v == null) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be a number, was " + kind(v));
        }
        if (!(v.doubleValue() >= min && v.doubleValue() <= max)) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be " + min + "–" + max + ", was " + v.asText());
        }
        return v.doubleValue();
    }

    /** An optional boolean member of an object checked by {@link #object}. */
    static boolean booleanField(JsonNode object, String name, boolean absent) {
        JsonNode v = object.get(name);
        if (v == null) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be true or false, was " + kind(v));
        }
        return v.booleanValue();
    }

    /** An optional string member of an object checked by {@link #object}; null when absent. */
    static String stringField(JsonNode object, String name) {
        JsonNode v = object.get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiProblem.badRequest("/" + name, "field '" + name + "' must be a string, was " + kind(v));
        }
        return v.textValue();
    }

    /** Operators only: a user's token gets 403. */
    static Caller operator(RoutingContext ctx) {
        Caller caller = ApiServer.caller(ctx);
        if (!caller.operator()) {
            throw new ApiProblem(403, "Forbidden", ctx.request().path() + " is for operators; this token is a user's ('"
                    + caller.userId() + "')", null);
        }
        return caller;
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> v.isIntegralNumber() ? "an integer out of range" : "a number with a fraction";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> v.getNodeType().name().toLowerCase();
        };
    }
}

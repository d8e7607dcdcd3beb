package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The field types of fleetkit's messages. */
public final class Kinds {
    private Kinds() {
    }

    /** A whole number in {@code [min, max]}; {@code 3.0} is refused, as firmware should send {@code 3}. */
    public static Kind<Long> integer(long min, long max) {
        return new Kind<>() {
            @Override
            public Long read(JsonNode n, String path, Subject s) {
                if (!n.isIntegralNumber()) {
                    throw mismatch(n, path, s);
                }
                if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
                    throw error(path, s, "expected an integer from " + min + " to " + max + ", found " + n.asText());
                }
                return n.longValue();
            }

            @Override
            protected Long read(TokenInput in) throws IOException {
                if (in.token() != JsonToken.VALUE_NUMBER_INT) {
                    throw mismatch(in);
                }
                JsonParser p = in.parser();
                boolean fits = fitsLong(p);
                long v = fits ? p.getLongValue() : 0;
                if (!fits || v < min || v > max) {
                    throw error("", in.subject(), "expected an integer from " + min + " to " + max + ", found " + p.getNumberValue());
                }
                return v;
            }

            @Override
            public JsonNode write(Long v) {
                return NODES.numberNode(v);
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode().put("type", "integer").put("minimum", min).put("maximum", max);
            }

            @Override
            protected String expected() {
                return "an integer";
            }
        };
    }

    /** An {@code int}-valued integer in {@code [min, max]}. */
    public static Kind<Integer> int32(int min, int max) {
        return map(integer(min, max), Long::intValue, Integer::longValue);
    }

    /** A finite number. Integral values are written as integers ({@code 40}, not {@code 40.0}). */
    public static Kind<Double> number() {
        return new Kind<>() {
            @Override
            public Double read(JsonNode n, String path, Subject s) {
                if (!n.isNumber()) {
                    throw mismatch(n, path, s);
                }
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw error(path, s, "expected a finite number, found " + n.asText());
                }
                // -0.0 is 0: integral values are written as integers, which have no negative zero, so a -0.0 read as such
                // would come back as 0.0 (found by fuzzing: CodecFuzzTest, input negative-zero-reading)
                return d == 0.0 ? 0.0 : d;
            }

            @Override
            protected Double read(TokenInput in) throws IOException {
                return readNumber(in, this);
            }

            @Override
            public JsonNode write(Double v) {
                return numberNode(v);
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode().put("type", "number");
            }

            @Override
            protected String expected() {
                return "a number";
            }
        };
    }

    /** The value at the input's current token as {@code kind} reads it: for kinds of other packages that read through another. */
    public static <T> T read(Kind<T> kind, TokenInput in) throws IOException {
        return kind.read(in);
    }

    /** Whether the integer token fits a {@code long} (as a tree's {@code canConvertToLong}). */
    static boolean fitsLong(JsonParser p) throws IOException {
        return p.getNumberType() != JsonParser.NumberType.BIG_INTEGER || p.getBigIntegerValue().bitLength() <= 63;
    }

    /** A number token as {@link #number()} reads it (also a reading's number). */
    public static double readNumber(TokenInput in, Kind<?> kind) throws IOException {
        JsonToken t = in.token();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw kind.mismatch(in);
        }
        double d = in.parser().getDoubleValue();
        if (!Double.isFinite(d)) {
            throw Kind.error("", in.subject(), "expected a finite number, found " + in.parser().getNumberValue());
        }
        return d == 0.0 ? 0.0 : d;
    }

    static JsonNode numberNode(double v) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("value: must be a finite number, was " + v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            return nodes.numberNode((long) v);
        }
        return nodes.numberNode(v);
    }

    public static Kind<Boolean> bool() {
        return new Kind<>() {
            @Override
            public Boolean read(JsonNode n, String path, Subject s) {
                if (!n.isBoolean()) {
                    throw mismatch(n, path, s);
                }
                return n.booleanValue();
            }

            @Override
            protected Boolean read(TokenInput in) throws IOException {
                if (!in.token().isBoolean()) {
                    throw mismatch(in);
                }
                return in.token() == JsonToken.VALUE_TRUE;
            }

            @Override
            public JsonNode write(Boolean v) {
                return NODES.booleanNode(v);
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode().put("type", "boolean");
            }

            @Override
            protected String expected() {
                return "a boolean";
            }
        };
    }

    /** A string of {@code minLength..maxLength} characters, matching {@code pattern} if not null. */
    public static Kind<String> string(int minLength, int maxLength, String pattern) {
        Pattern compiled = pattern == null ? null : Pattern.compile(pattern);
        return new TextKind<>() {
            @Override
            String fromText(String v, String path, Subject s) {
                int length = v.codePointCount(0, v.length());
                if (length < minLength || length > maxLength) {
                    throw error(path, s, "expected a string of " + minLength + " to " + maxLength
                            + " characters, found one of " + length);
                }
                if (compiled != null && !compiled.matcher(v).matches()) {
                    throw error(path, s, "'" + v + "' does not match the pattern " + pattern);
                }
                return v;
            }

            @Override
            public JsonNode write(String v) {
                return NODES.textNode(v);
            }

            @Override
            public ObjectNode schema() {
                ObjectNode o = NODES.objectNode().put("type", "string").put("minLength", minLength).put("maxLength", maxLength);
                if (pattern != null) {
                    o.put("pattern", "^(?:" + pattern + ")$");
                }
                return o;
            }

            @Override
            protected String expected() {
                return "a string";
            }
        };
    }

    /** A string that a typed value's constructor validates, e.g. a registration id. */
    public static <T> Kind<T> typedString(int maxLength, String pattern, Function<String, T> parse, Function<T, String> format) {
        Kind<String> base = string(1, maxLength, pattern);
        return new Kind<>() {
            @Override
            public T read(JsonNode n, String path, Subject s) {
                return parsed(base.read(n, path, s), path, s);
            }

            @Override
            protected T read(TokenInput in) throws IOException {
                return parsed(base.read(in), "", in.subject());
            }

            private T parsed(String raw, String path, Subject s) {
                try {
                    return parse.apply(raw);
                } catch (ProtocolException e) {
                    throw error(path, s, e.getMessage());
                }
            }

            @Override
            public JsonNode write(T v) {
                return NODES.textNode(format.apply(v));
            }

            @Override
            public ObjectNode schema() {
                return base.schema();
            }

            @Override
            protected String expected() {
                return "a string";
            }
        };
    }

    /** An instant as an ISO-8601 UTC string, e.g. {@code 2026-11-26T09:30:00.250Z}. */
    public static Kind<Instant> timestamp() {
        return new TextKind<>() {
            @Override
            Instant fromText(String text, String path, Subject s) {
                Instant quick = Timestamps.parseCommon(text);
                if (quick != null) {
                    return quick;
                }
                try {
                    return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
                } catch (DateTimeParseException e) {
                    throw error(path, s, "'" + text + "' is not an ISO-8601 UTC timestamp such as 2026-11-26T09:30:00Z");
                }
            }

            @Override
            public JsonNode write(Instant v) {
                return NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(v));
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode().put("type", "string").put("format", "date-time");
            }

            @Override
            protected String expected() {
                return "a timestamp string";
            }
        };
    }

    /**
     * Bytes: a base64 string in JSON, a byte string in CBOR (either is read from either).
     */
    public static Kind<byte[]> bytes(int minLength, int maxLength) {
        return new Kind<>() {
            @Override
            public byte[] read(JsonNode n, String path, Subject s) {
                if (n.isBinary()) {
                    return length(binary(n), path, s);
                } else if (n.isTextual()) {
                    return base64(n.textValue(), path, s);
                }
                throw mismatch(n, path, s);
            }

            @Override
            protected byte[] read(TokenInput in) throws IOException {
                if (in.token() == JsonToken.VALUE_STRING) {
                    return base64(in.parser().getText(), "", in.subject());
                }
                if (in.token() == JsonToken.VALUE_EMBEDDED_OBJECT && in.parser().getEmbeddedObject() instanceof byte[] b) {
                    return length(b, "", in.subject());
                }
                throw mismatch(in);
            }

            private byte[] base64(String text, String path, Subject s) {
                try {
                    return length(Base64.getDecoder().decode(text), path, s);
                } catch (IllegalArgumentException e) {
                    throw error(path, s, "not valid base64: " + e.getMessage());
                }
            }

            private byte[] length(byte[] b, String path, Subject s) {
                if (b.length < minLength || b.length > maxLength) {
                    throw error(path, s, "expected " + minLength + " to " + maxLength + " bytes, found " + b.length);
                }
                return b;
            }

            @Override
            public JsonNode write(byte[] v) {
                return NODES.binaryNode(v);
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode().put("type", "string").put("contentEncoding", "base64");
            }

            @Override
            protected String expected() {
                return "base64 text or a byte string";
            }
        };
    }

    private static byte[] binary(JsonNode n) {
        try {
            return n.binaryValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a binary node always has bytes", e);
        }
    }

    /** One of an enum's constants, by wire name. */
    public static <E extends Enum<E> & WireName> Kind<E> enumeration(Class<E> type) {
        E[] constants = type.getEnumConstants();
        return new TextKind<>() {
            @Override
            E fromText(String text, String path, Subject s) {
                for (E e : constants) {
                    if (e.wireName().equals(text)) {
                        return e;
                    }
                }
                throw error(path, s, "'" + text + "' is not one of " + names());
            }

            @Override
            public JsonNode write(E v) {
                return NODES.textNode(v.wireName());
            }

            @Override
            public ObjectNode schema() {
                ArrayNode values = NODES.arrayNode();
                for (E e : constants) {
                    values.add(e.wireName());
                }
                ObjectNode o = NODES.objectNode().put("type", "string");
                o.set("enum", values);
                return o;
            }

            private String names() {
                StringBuilder sb = new StringBuilder();
                for (E e : constants) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(e.wireName());
                }
                return sb.toString();
            }

            @Override
            protected String expected() {
                return "a string";
            }
        };
    }

    /**
     * An object used as a map from names matching {@code keys} to values of one kind, with
     * at least one and at most {@code maxEntries} entries.
     */
    public static <V> Kind<Map<String, V>> mapOf(Kind<V> values, NamePattern keys, int maxEntries) {
        return new MapKind<>(values, keys, maxEntries);
    }

    /** An array of {@code min..max} elements of one kind. */
    public static <E> Kind<List<E>> listOf(Kind<E> elements, int min, int max) {
        return new ListKind<>(elements, min, max);
    }

    /** Any JSON value except null (a method payload of a method fleetkit does not model). */
    public static Kind<JsonNode> anyJson() {
        return new Kind<>() {
            @Override
            public JsonNode read(JsonNode n, String path, Subject s) {
                return n.deepCopy();
            }

            @Override
            public JsonNode write(JsonNode v) {
                return v.deepCopy();
            }

            @Override
            public ObjectNode schema() {
                return NODES.objectNode();
            }

            @Override
            protected String expected() {
                return "a JSON value";
            }
        };
    }

    /** A kind whose Java type is derived from another's. */
    public static <A, B> Kind<B> map(Kind<A> base, Function<A, B> read, Function<B, A> write) {
        return new Kind<>() {
            @Override
            public B read(JsonNode n, String path, Subject s) {
                return read.apply(base.read(n, path, s));
            }

            @Override
            protected B read(TokenInput in) throws IOException {
                return read.apply(base.read(in));
            }

            @Override
            public JsonNode write(B v) {
                return base.write(write.apply(v));
            }

            @Override
            public ObjectNode schema() {
                return base.schema();
            }

            @Override
            protected String expected() {
                return base.expected();
            }
        };
    }
}

package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The type of a field in an application message: how to read it from a JSON/CBOR tree
 * (strictly, with the JSON path in every error), how to write it, and its JSON Schema. One
 * definition serves decoding, encoding and the schema export, so they cannot drift apart.
 *
 * <p>Instances are immutable and thread-safe; see {@link Kinds} for the available ones.
 *
 * @param <T> the Java type of the field's value
 */
public abstract class Kind<T> {
    protected static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Reads a present, non-null node.
     *
     * @param subject JSON or CBOR, for the error
     * @throws ProtocolException naming {@code path} when the node does not fit
     */
    public abstract T read(JsonNode node, String path, Subject subject);

    public abstract JsonNode write(T value);

    /** The JSON Schema (2020-12) of this kind, without title or description. */
    public abstract ObjectNode schema();

    /** A short phrase for errors: "an integer", "a string". */
    protected abstract String expected();

    protected final ProtocolException mismatch(JsonNode node, String path, Subject subject) {
        return new ProtocolException(subject, null, path, "expected " + expected() + ", found " + describe(node));
    }

    protected static ProtocolException error(String path, Subject subject, String reason) {
        return new ProtocolException(subject, null, path, reason);
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case BINARY -> "a byte string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}

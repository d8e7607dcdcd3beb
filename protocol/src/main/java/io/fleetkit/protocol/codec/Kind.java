package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;

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

    /**
     * Reads the value at the input's current token (present; null only as a whole document) without building a tree: the
     * decoder's path. It must end on the value's last token and report what {@link #read(JsonNode, String, Subject)}
     * reports, with its place relative to this value ({@code ""} itself, {@code ".a"}, {@code "[2]"}): the kinds around it
     * put theirs in front. This default reads the value as a tree, for kinds without a reader of their own.
     *
     * @throws IOException when the input is not well-formed JSON/CBOR (the decoder reports that before anything else)
     */
    protected T read(TokenInput in) throws IOException {
        return read(in.tree(), "", in.subject());
    }

    public abstract JsonNode write(T value);

    /** The JSON Schema (2020-12) of this kind, without title or description. */
    public abstract ObjectNode schema();

    /** A short phrase for errors: "an integer", "a string". */
    protected abstract String expected();

    protected final ProtocolException mismatch(JsonNode node, String path, Subject subject) {
        return new ProtocolException(subject, null, path, "expected " + expected() + ", found " + describe(node));
    }

    /** "expected …, found …" for the input's current token, at the value itself. */
    protected final ProtocolException mismatch(TokenInput in) throws IOException {
        return new ProtocolException(in.subject(), null, "", "expected " + expected() + ", found " + describe(in));
    }

    static String describe(TokenInput in) throws IOException {
        return switch (in.token()) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NULL -> "null";
            default -> describe(in.tree());
        };
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

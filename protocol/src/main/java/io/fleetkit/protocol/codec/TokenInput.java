package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;

/**
 * One document being decoded by the streaming decoder ({@link Kind#read(TokenInput)}): Jackson's parser over the bytes,
 * advanced only through {@link #next()} so that it knows how deep it is (to skip the rest of a value after an error) and
 * checks every text and member name for lone surrogates, as the tree decoder checks its tree. Not thread-safe: one per
 * decode.
 */
public final class TokenInput {
    private final JsonParser parser;
    private final ObjectReader trees; // reads one value as a tree, and nothing after it
    private final byte[] bytes;
    private final Subject subject;
    private static final ObjectReader JSON_TREES = MessageCodec.JSON.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader CBOR_TREES = MessageCodec.CBOR.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private int depth; // containers open after the current token
    private String surrogateAt; // the first lone surrogate's path, relative to the root, or null

    TokenInput(JsonParser parser, ObjectMapper mapper, byte[] bytes, Subject subject) {
        this.parser = parser;
        this.trees = mapper == MessageCodec.JSON ? JSON_TREES : CBOR_TREES;
        this.bytes = bytes;
        this.subject = subject;
    }

    /** JSON or CBOR, for errors. */
    public Subject subject() {
        return subject;
    }

    /** The parser, positioned at the current token: read values from it, advance only with {@link #next()}. */
    public JsonParser parser() {
        return parser;
    }

    public JsonToken token() {
        return parser.currentToken();
    }

    /** The next token, or null at the end of the input. */
    public JsonToken next() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == null) {
            return null;
        }
        switch (t) {
            case START_OBJECT, START_ARRAY -> depth++;
            case END_OBJECT, END_ARRAY -> depth--;
            case FIELD_NAME -> check(parser.currentName(), " (member name)");
            case VALUE_STRING -> check(parser.getText(), "");
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject(); // reads a byte string now, as the tree decoder would
            default -> {
            }
        }
        return t;
    }

    /** The containers open after the current token: a value that starts here ends at a token where this is back to it. */
    int depth() {
        return depth;
    }

    /** Advances to the last token of the value that was being read inside the container at {@code level}. */
    void skipTo(int level) throws IOException {
        while (depth > level) {
            if (next() == null) {
                return; // the parser reports the truncation on the caller's next read
            }
        }
    }

    /**
     * The current value as a tree (for kinds without a streaming reader, and for quoting a value in an error), ending on its
     * last token. Built here, through {@link #next()}, rather than by Jackson's tree reader, which would leave the parser
     * without a current token (and its end-of-input errors saying so). The nodes are those Jackson's reader makes.
     */
    public JsonNode tree() throws IOException {
        JsonToken t = parser.currentToken();
        if (t == null) {
            throw new java.io.EOFException("the input ends inside a value"); // the parsers report this themselves first
        }
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (next() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    next();
                    o.set(name, tree());
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                while (next() != JsonToken.END_ARRAY) {
                    a.add(tree());
                }
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(t == JsonToken.VALUE_TRUE);
            case VALUE_NULL -> NODES.nullNode();
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> switch (parser.getNumberType()) {
                case BIG_DECIMAL -> NODES.numberNode(parser.getDecimalValue());
                case FLOAT -> NODES.numberNode(parser.getFloatValue());
                default -> NODES.numberNode(parser.getDoubleValue());
            };
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject() instanceof byte[] b ? NODES.binaryNode(b)
                    : NODES.pojoNode(parser.getEmbeddedObject());
            default -> throw new IllegalStateException("not at a value: " + t);
        };
    }

    /**
     * A parser over the same bytes from the current token's start, to look ahead in an object (a variant's discriminator);
     * null when the parser knows no byte offset (JSON it detected as UTF-16 or UTF-32 counts characters) or the bytes
     * from there cannot be read (the caller then reads the object as a tree).
     */
    JsonParser lookAhead() throws IOException {
        long offset = parser.currentTokenLocation().getByteOffset();
        if (offset < 0 || offset >= bytes.length) {
            return null;
        }
        int at = (int) offset;
        try {
            JsonParser p = trees.createParser(bytes, at, bytes.length - at);
            p.nextToken();
            return p;
        } catch (IOException e) {
            return null; // a '{' then NUL bytes, taken for UTF-32: the object is malformed, as reading it says
        }
    }

    /** A value read from a look-ahead parser, as a tree. */
    JsonNode tree(JsonParser lookAhead) throws IOException {
        return trees.readTree(lookAhead);
    }

    /** Where the first lone surrogate is, relative to the root ({@code ".readings.t"}), or null when there is none. */
    String surrogateAt() {
        return surrogateAt;
    }

    private void check(String text, String suffix) {
        if (surrogateAt == null && !MessageCodec.wellFormed(text)) {
            surrogateAt = path() + suffix;
        }
    }

    /**
     * The current value's (or member name's) place as the tree decoder's check names it: {@code .name} per member,
     * {@code [i]} per element. At a container's start the parser is already inside it: its place is the parent's.
     */
    private String path() {
        StringBuilder sb = new StringBuilder();
        JsonStreamContext c = parser.getParsingContext();
        append(sb, parser.currentToken() != null && parser.currentToken().isStructStart() ? c.getParent() : c);
        return sb.toString();
    }

    private static void append(StringBuilder sb, JsonStreamContext c) {
        if (c == null || c.inRoot()) {
            return;
        }
        append(sb, c.getParent());
        if (c.inObject()) {
            sb.append('.').append(c.getCurrentName());
        } else {
            sb.append('[').append(Math.max(0, c.getCurrentIndex())).append(']');
        }
    }

    /** {@code e} with its place put under {@code prefix} (errors are relative to the value being read). */
    static ProtocolException under(String prefix, ProtocolException e) {
        return new ProtocolException(e.subject(), null, prefix + (e.location() == null ? "" : e.location()), e.reason());
    }
}

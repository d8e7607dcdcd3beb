package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private final Subject subject;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private int depth; // containers open after the current token
    // the member names of the open objects so far, outermost first: a stack (16 hold a telemetry message's 5 + 5 readings)
    private String[] names = new String[16];
    private int namesTop;
    private int[] namesFrom = new int[4]; // per depth: where its container's names begin in the stack
    private java.util.Set<String>[] manyNames; // per depth, past SCANNED names: a set
    private String surrogateAt; // the first lone surrogate's path, relative to the root, or null
    private String aheadName0; // members a variant read ahead, at depth aheadLevel (see keepReadAhead)
    private Object aheadValue0;
    private String aheadName1;
    private Object aheadValue1;
    private String[] aheadNames;
    private Object[] aheadValues;
    private int aheadCount;
    private int aheadLevel = -1;

    TokenInput(JsonParser parser, Subject subject) {
        this.parser = parser;
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
            case START_OBJECT, START_ARRAY -> open(++depth);
            case END_OBJECT, END_ARRAY -> namesTop = namesFrom[depth--];
            case FIELD_NAME -> {
                String name = parser.currentName();
                checkDuplicate(name);
                check(name, " (member name)");
            }
            case VALUE_STRING -> check(parser.getText(), "");
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject(); // reads a byte string now, as the tree decoder would
            default -> {
            }
        }
        return t;
    }

    private static final int SCANNED = 64; // names an object's duplicate check compares (by hash first) before it keeps a set

    private void open(int level) {
        if (level >= namesFrom.length) {
            namesFrom = java.util.Arrays.copyOf(namesFrom, level * 2);
        }
        namesFrom[level] = namesTop;
        if (manyNames != null && level < manyNames.length && manyNames[level] != null) {
            manyNames[level].clear();
        }
    }

    /**
     * A member name the object at this depth has already had is malformed input. Found here (names compared one by one,
     * a set only past {@value #SCANNED}) rather than by Jackson's check, which keeps a hash set per object.
     */
    @SuppressWarnings("unchecked")
    private void checkDuplicate(String name) throws IOException {
        int from = namesFrom[depth];
        int hash = name.hashCode();
        if (namesTop - from < SCANNED) {
            for (int i = from; i < namesTop; i++) {
                if (names[i].hashCode() == hash && names[i].equals(name)) { // a String keeps its hash code
                    throw duplicate(name);
                }
            }
        } else {
            if (manyNames == null || depth >= manyNames.length) {
                manyNames = manyNames == null ? new java.util.Set[namesFrom.length] : java.util.Arrays.copyOf(manyNames, namesFrom.length);
            }
            if (manyNames[depth] == null) {
                manyNames[depth] = new java.util.HashSet<>();
            }
            java.util.Set<String> set = manyNames[depth];
            if (set.isEmpty()) {
                set.addAll(java.util.Arrays.asList(names).subList(from, namesTop));
            }
            if (!set.add(name)) {
                throw duplicate(name);
            }
        }
        if (namesTop == names.length) {
            names = java.util.Arrays.copyOf(names, namesTop * 2);
        }
        names[namesTop++] = name;
    }

    private IOException duplicate(String name) {
        return new JsonParseException(parser, "Duplicate field '" + name + "'"); // MessageCodec words and places it as Jackson does
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
     * Keeps a member of the object being read that a variant read while looking for its discriminator — a text as its
     * {@code String}, anything else as a tree; the object's kind takes these first ({@link #readAhead}), then reads on
     * from the parser. The first two (a discriminator is usually among the first members) in fields, more in arrays.
     */
    void keepReadAhead(String name, Object value) {
        aheadLevel = depth;
        int i = aheadCount++;
        if (i == 0) {
            aheadName0 = name;
            aheadValue0 = value;
        } else if (i == 1) {
            aheadName1 = name;
            aheadValue1 = value;
        } else {
            if (aheadNames == null || i - 2 == aheadNames.length) {
                aheadNames = aheadNames == null ? new String[4] : java.util.Arrays.copyOf(aheadNames, aheadNames.length * 2);
                aheadValues = aheadValues == null ? new Object[4] : java.util.Arrays.copyOf(aheadValues, aheadValues.length * 2);
            }
            aheadNames[i - 2] = name;
            aheadValues[i - 2] = value;
        }
    }

    /** How many members of the object whose members are at this depth were read ahead (0 when none, or another's). */
    int readAhead() {
        return aheadLevel == depth ? aheadCount : 0;
    }

    /** Whether a variant has begun this object (the parser is past its start): then it is read on from here. */
    boolean insideReadAheadObject() {
        return aheadCount > 0 && aheadLevel == depth;
    }

    String aheadName(int i) {
        return i == 0 ? aheadName0 : i == 1 ? aheadName1 : aheadNames[i - 2];
    }

    /** The member's value: a {@code String} for a text, else a {@link JsonNode}. */
    Object aheadValue(int i) {
        return i == 0 ? aheadValue0 : i == 1 ? aheadValue1 : aheadValues[i - 2];
    }

    /** Forgets the members read ahead: the object's kind has taken them, or the variant failed. */
    void clearReadAhead() {
        aheadName0 = aheadName1 = null;
        aheadValue0 = aheadValue1 = null;
        for (int i = 2; i < aheadCount; i++) {
            aheadNames[i - 2] = null;
            aheadValues[i - 2] = null;
        }
        aheadCount = 0;
        aheadLevel = -1;
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

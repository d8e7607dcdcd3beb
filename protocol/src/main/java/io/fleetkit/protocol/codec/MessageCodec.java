package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;
import java.util.Objects;

/**
 * Encodes and decodes one message family as JSON (UTF-8, the hub wire) and CBOR (the device
 * test port), from one {@link Kind}. Decoding is strict: malformed syntax, duplicate members,
 * trailing data, a document over the size limit, and anything the kind refuses become a
 * {@link ProtocolException} saying what, where (JSON path, or line/column or byte offset for
 * syntax) and why. Immutable and thread-safe.
 *
 * @param <M> the Java type of the messages
 */
public final class MessageCodec<M> {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final ObjectMapper CBOR = CBORMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    // the streaming decoder's parsers: it finds duplicate members itself (TokenInput), without a hash set per object
    private static final JsonFactory STREAM_JSON = JsonFactory.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();
    private static final JsonFactory STREAM_CBOR = CBORFactory.builder().build();

    private final String name;
    private final Kind<M> kind;
    private final int maxBytes;

    /**
     * @param name     the family's name in messages and schema titles, e.g. "device message"
     * @param maxBytes the size limit of an encoded document
     */
    public MessageCodec(String name, Kind<M> kind, int maxBytes) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public String name() {
        return name;
    }

    public int maxBytes() {
        return maxBytes;
    }

    public Kind<M> kind() {
        return kind;
    }

    public JsonNode toTree(M message) {
        return kind.write(Objects.requireNonNull(message, "message"));
    }

    public M fromTree(JsonNode tree, Subject subject) {
        return kind.read(tree, "$", subject);
    }

    /** @throws IllegalArgumentException when the encoded message would exceed the size limit */
    public byte[] toJson(M message) {
        return checkSize(write(JSON, toTree(message)));
    }

    public byte[] toCbor(M message) {
        return checkSize(write(CBOR, toTree(message)));
    }

    /** @throws ProtocolException (subject JSON) when the bytes are not a valid message */
    public M fromJson(byte[] bytes) {
        return fromJson(bytes, Subject.JSON);
    }

    /** Decodes JSON, reporting failures under another subject (e.g. a device model file). */
    public M fromJson(byte[] bytes, Subject subject) {
        return decode(JSON, bytes, subject);
    }

    /** @throws ProtocolException (subject CBOR) when the bytes are not a valid message */
    public M fromCbor(byte[] bytes) {
        return decode(CBOR, bytes, Subject.CBOR);
    }

    /** The tree decoder (parse to a tree, then read it): what the streaming decoder must agree with, for tests. */
    M fromJsonTree(byte[] bytes, Subject subject) {
        return fromTree(parse(JSON, bytes, subject), subject);
    }

    /** The tree decoder of CBOR, for tests. */
    M fromCborTree(byte[] bytes) {
        return fromTree(parse(CBOR, bytes, Subject.CBOR), Subject.CBOR);
    }

    /**
     * The streaming decoder: the kinds read Jackson's tokens directly ({@link Kind#read(TokenInput)}), no tree. It reports
     * what the tree decoder reports, in the same order: malformed syntax anywhere (and trailing data) first, then a lone
     * surrogate, then what the kinds refuse — so after a refusal it still reads the rest of the document.
     */
    private M decode(ObjectMapper mapper, byte[] bytes, Subject subject) {
        checkLength(bytes, subject);
        try (JsonParser p = (mapper == JSON ? STREAM_JSON : STREAM_CBOR).createParser(bytes)) {
            TokenInput in = new TokenInput(p, subject);
            if (in.next() == null) {
                throw new ProtocolException(subject, null, null, "empty document; expected a " + name);
            }
            M message = null;
            ProtocolException refused = null;
            try {
                message = kind.read(in);
            } catch (ProtocolException e) {
                refused = e;
                in.skipTo(0);
            }
            if (p.nextToken() != null) {
                throw malformed(mapper, bytes, subject, null);
            }
            if (in.surrogateAt() != null) {
                throw new ProtocolException(subject, null, "$" + in.surrogateAt(), "invalid UTF-8: an encoded surrogate is not a character");
            }
            if (refused != null) {
                throw TokenInput.under("$", refused);
            }
            return message;
        } catch (JsonProcessingException e) {
            throw malformed(mapper, bytes, subject, e);
        } catch (IOException e) {
            throw new ProtocolException(subject, null, null, "unreadable: " + e.getMessage());
        }
    }

    /**
     * Malformed input (syntax, a duplicate member, data after the end) is worded and placed by Jackson's strict tree
     * parse of the whole document, as before the streaming decoder: the rare path, so it parses again rather than
     * reproduce where each check of Jackson's happens (a duplicate name is reported before a missing colon after it).
     */
    private ProtocolException malformed(ObjectMapper mapper, byte[] bytes, Subject subject, JsonProcessingException found) {
        try {
            parse(mapper, bytes, subject);
        } catch (ProtocolException e) {
            return e;
        }
        return found != null ? new ProtocolException(subject, null, where(found.getLocation(), subject), reason(found))
                : new ProtocolException(subject, null, null, "unexpected data after the end of the document");
    }

    private void checkLength(byte[] bytes, Subject subject) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > maxBytes) {
            throw new ProtocolException(subject, null, null, "a " + name + " is " + bytes.length
                    + " bytes long; at most " + maxBytes + " are allowed");
        }
        if (bytes.length == 0) {
            throw new ProtocolException(subject, null, null, "empty document; expected a " + name);
        }
    }

    /** The JSON Schema (draft 2020-12) of this family. */
    public ObjectNode jsonSchema(String id) {
        ObjectNode s = JSON.createObjectNode()
                .put("$schema", "https://json-schema.org/draft/2020-12/schema")
                .put("$id", id)
                .put("title", name);
        if (kind instanceof ObjectKind<?> o) {
            s.put("description", o.description());
        }
        s.setAll(kind.schema());
        return s;
    }

    /**
     * Every text and member name must be well-formed Unicode. Jackson's JSON parser refuses invalid UTF-8, but its CBOR
     * parser decodes encoded surrogates (CESU-8) into lone surrogates, which no encoder can write back (found by fuzzing:
     * {@code CodecFuzzTest}, input {@code lone-surrogate-in-a-reading-name}).
     */
    private static void requireWellFormedText(JsonNode tree, String root, Subject subject) {
        String bad = loneSurrogateAt(tree);
        if (bad != null) {
            throw new ProtocolException(subject, null, root + bad, "invalid UTF-8: an encoded surrogate is not a character");
        }
    }

    /** Where a lone surrogate is ({@code ".readings.x"}, {@code "[2]"}, {@code " (member name)"}), or null; allocates only when found. */
    private static String loneSurrogateAt(JsonNode node) {
        if (node.isTextual()) {
            return wellFormed(node.textValue()) ? null : "";
        }
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (!wellFormed(f.getKey())) {
                    return "." + f.getKey() + " (member name)";
                }
                String inner = loneSurrogateAt(f.getValue());
                if (inner != null) {
                    return "." + f.getKey() + inner;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String inner = loneSurrogateAt(node.get(i));
                if (inner != null) {
                    return "[" + i + "]" + inner;
                }
            }
        }
        return null;
    }

    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private JsonNode parse(ObjectMapper mapper, byte[] bytes, Subject subject) {
        checkLength(bytes, subject);
        try {
            JsonNode tree = mapper.readTree(bytes);
            if (tree == null || tree.isMissingNode()) {
                throw new ProtocolException(subject, null, null, "empty document; expected a " + name);
            }
            requireWellFormedText(tree, "$", subject);
            return tree;
        } catch (JsonProcessingException e) {
            throw new ProtocolException(subject, null, where(e.getLocation(), subject), reason(e));
        } catch (IOException e) {
            throw new ProtocolException(subject, null, null, "unreadable: " + e.getMessage());
        }
    }

    private static String where(JsonLocation loc, Subject subject) {
        if (loc == null) {
            return null;
        }
        if (subject == Subject.CBOR || loc.getLineNr() < 0) {
            return "byte " + loc.getByteOffset();
        }
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String reason(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m != null && m.startsWith("Trailing token")) {
            return "unexpected data after the end of the document";
        }
        if (e instanceof JsonParseException && m != null) {
            // Jackson's hints on how to configure Jackson mean nothing to a firmware author
            int hint = m.indexOf(" (for ");
            int cut = hint < 0 ? m.indexOf("\n") : hint;
            return cut < 0 ? m : m.substring(0, cut);
        }
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static byte[] write(ObjectMapper mapper, JsonNode tree) {
        try {
            return mapper.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private byte[] checkSize(byte[] bytes) {
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("message: a " + name + " would be " + bytes.length
                    + " bytes long; at most " + maxBytes + " are allowed");
        }
        return bytes;
    }
}

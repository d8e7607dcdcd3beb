package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One of several object kinds, told apart by a string member (the discriminator), e.g.
 * {@code "type"} for device messages or {@code "event"} for lifecycle events. Its schema is a
 * {@code oneOf} of the variants.
 *
 * @param <M> the common Java supertype (a sealed interface)
 */
public final class VariantKind<M> extends Kind<M> {
    private final String discriminator;
    private final Map<String, Kind<? extends M>> variants;
    private final Function<M, String> classify;

    private VariantKind(String discriminator, Map<String, Kind<? extends M>> variants, Function<M, String> classify) {
        this.discriminator = discriminator;
        this.variants = variants;
        this.classify = classify;
    }

    /**
     * @param discriminator the member whose value names the variant
     * @param classify      the discriminator value of a Java value
     */
    public static <M> Builder<M> by(String discriminator, Function<M, String> classify) {
        return new Builder<>(discriminator, classify);
    }

    @Override
    public M read(JsonNode node, String path, Subject s) {
        if (!node.isObject()) {
            throw mismatch(node, path, s);
        }
        JsonNode d = node.get(discriminator);
        if (d == null) {
            throw error(path, s, "missing required member '" + discriminator + "' (one of " + String.join(", ", variants.keySet()) + ")");
        }
        Kind<? extends M> kind = d.isTextual() ? variants.get(d.textValue()) : null;
        if (kind == null) {
            throw error(ObjectKind.child(path, discriminator), s,
                    "expected one of " + String.join(", ", variants.keySet()) + ", found " + d);
        }
        return kind.read(node, path, s);
    }

    /** Looks ahead in the object for the discriminator (a second parser over the same bytes), then reads the variant. */
    @Override
    protected M read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.START_OBJECT) {
            throw mismatch(in);
        }
        JsonParser lookAhead = in.lookAhead();
        if (lookAhead == null) {
            return read(in.tree(), "", in.subject());
        }
        boolean present = false;
        String name = null; // the discriminator's text
        JsonNode other = null; // or its value when it is not a text
        try (JsonParser ahead = lookAhead) {
            while (ahead.nextToken() == JsonToken.FIELD_NAME) {
                boolean discriminates = discriminator.equals(ahead.currentName());
                JsonToken t = ahead.nextToken();
                if (discriminates) {
                    present = true;
                    if (t == JsonToken.VALUE_STRING) {
                        name = ahead.getText();
                    } else {
                        other = in.tree(ahead);
                    }
                    break;
                }
                ahead.skipChildren();
            }
        } catch (IOException e) {
            // malformed (or, after a '{' and NUL bytes, taken for UTF-32 by the look-ahead's encoding detection): the
            // decoder's own parser reports it, and that comes before this
            present = false;
        }
        if (!present) {
            throw error("", in.subject(), "missing required member '" + discriminator + "' (one of " + String.join(", ", variants.keySet()) + ")");
        }
        Kind<? extends M> kind = name != null ? variants.get(name) : null;
        if (kind == null) {
            throw error(ObjectKind.child("", discriminator), in.subject(), "expected one of " + String.join(", ", variants.keySet())
                    + ", found " + (name != null ? NODES.textNode(name) : other));
        }
        return kind.read(in);
    }

    @Override
    public JsonNode write(M value) {
        String name = classify.apply(value);
        return writeAs(variants.get(name), value);
    }

    @SuppressWarnings("unchecked")
    private static <T, M> JsonNode writeAs(Kind<T> kind, M value) {
        return kind.write((T) value);
    }

    @Override
    public ObjectNode schema() {
        ObjectNode o = NODES.objectNode();
        ArrayNode oneOf = o.putArray("oneOf");
        variants.values().forEach(k -> oneOf.add(k instanceof ObjectKind<?> ok ? ok.titledSchema() : k.schema()));
        return o;
    }

    @Override
    protected String expected() {
        return "an object";
    }

    /** Collects the variants in order. */
    public static final class Builder<M> {
        private final String discriminator;
        private final Function<M, String> classify;
        private final Map<String, Kind<? extends M>> variants = new LinkedHashMap<>();

        private Builder(String discriminator, Function<M, String> classify) {
            this.discriminator = discriminator;
            this.classify = classify;
        }

        public Builder<M> variant(String value, Kind<? extends M> kind) {
            variants.put(value, kind);
            return this;
        }

        public VariantKind<M> build() {
            return new VariantKind<>(discriminator, Collections.unmodifiableMap(new LinkedHashMap<>(variants)), classify);
        }
    }
}

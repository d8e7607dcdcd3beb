package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
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

    /**
     * Reads the object's members up to the discriminator (as trees, kept in the input for the variant's own kind, which
     * takes them first), then lets the variant read on. A variant within a variant (lifecycle: {@code type}, then
     * {@code event}) goes on in the same object.
     */
    @Override
    protected M read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.START_OBJECT && !in.insideReadAheadObject()) {
            throw mismatch(in);
        }
        try {
            Object found = null; // the discriminator's value: its text, or a tree
            for (int i = 0; i < in.readAhead() && found == null; i++) {
                if (in.aheadName(i).equals(discriminator)) {
                    found = in.aheadValue(i);
                }
            }
            while (found == null && in.next() == JsonToken.FIELD_NAME) {
                String name = in.parser().currentName();
                Object value = in.next() == JsonToken.VALUE_STRING ? in.parser().getText() : in.tree();
                in.keepReadAhead(name, value);
                if (name.equals(discriminator)) {
                    found = value;
                }
            }
            if (found == null) {
                throw error("", in.subject(), "missing required member '" + discriminator + "' (one of " + String.join(", ", variants.keySet()) + ")");
            }
            Kind<? extends M> kind = found instanceof String name ? variants.get(name) : null;
            if (kind == null) {
                throw error(ObjectKind.child("", discriminator), in.subject(), "expected one of " + String.join(", ", variants.keySet())
                        + ", found " + (found instanceof String name ? NODES.textNode(name) : found));
            }
            return kind.read(in);
        } catch (ProtocolException e) {
            in.clearReadAhead(); // the caller skips the rest of the object
            throw e;
        }
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

        /** @param kind an object kind, or variants of one: the variant reads on in the object the discriminator is in */
        public Builder<M> variant(String value, Kind<? extends M> kind) {
            if (!(kind instanceof ObjectKind<?> || kind instanceof VariantKind<?>)) {
                throw new IllegalArgumentException("kind: a variant is an object kind or a variant kind, was " + kind);
            }
            variants.put(value, kind);
            return this;
        }

        public VariantKind<M> build() {
            return new VariantKind<>(discriminator, Collections.unmodifiableMap(new LinkedHashMap<>(variants)), classify);
        }
    }
}

package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** An array of {@code min..max} elements of one kind ({@link Kinds#listOf}). */
final class ListKind<E> extends Kind<List<E>> {
    private final Kind<E> elements;
    private final int min;
    private final int max;

    ListKind(Kind<E> elements, int min, int max) {
        this.elements = elements;
        this.min = min;
        this.max = max;
    }

    @Override
    public List<E> read(JsonNode n, String path, Subject s) {
        if (!n.isArray()) {
            throw mismatch(n, path, s);
        }
        if (n.size() < min || n.size() > max) {
            throw error(path, s, "expected " + min + " to " + max + " elements, found " + n.size());
        }
        List<E> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            String at = path + "[" + i + "]";
            if (n.get(i).isNull()) {
                throw error(at, s, "expected a value, found null");
            }
            out.add(elements.read(n.get(i), at, s));
        }
        return List.copyOf(out);
    }

    @Override
    protected List<E> read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.START_ARRAY) {
            throw mismatch(in);
        }
        int level = in.depth();
        List<E> out = new ArrayList<>();
        ProtocolException first = null; // the first element's problem; the count's comes before it, as in the tree
        int count = 0;
        while (in.next() != JsonToken.END_ARRAY) {
            if (in.token() == null) {
                throw error("", in.subject(), "truncated"); // the parser itself reports it first
            }
            int i = count++;
            if (count > max || first != null) {
                in.skipTo(level);
                continue;
            }
            if (in.token() == JsonToken.VALUE_NULL) {
                first = error("[" + i + "]", in.subject(), "expected a value, found null");
                continue;
            }
            try {
                out.add(elements.read(in));
            } catch (ProtocolException e) {
                first = TokenInput.under("[" + i + "]", e);
                in.skipTo(level);
            }
        }
        if (count < min || count > max) {
            throw error("", in.subject(), "expected " + min + " to " + max + " elements, found " + count);
        }
        if (first != null) {
            throw first;
        }
        return List.copyOf(out);
    }

    @Override
    public JsonNode write(List<E> v) {
        ArrayNode a = NODES.arrayNode();
        v.forEach(e -> a.add(elements.write(e)));
        return a;
    }

    @Override
    public ObjectNode schema() {
        ObjectNode o = NODES.objectNode().put("type", "array").put("minItems", min).put("maxItems", max);
        o.set("items", elements instanceof ObjectKind<?> ok ? ok.titledSchema() : elements.schema());
        return o;
    }

    @Override
    protected String expected() {
        return "an array";
    }
}

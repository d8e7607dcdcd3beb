package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An object used as a map from names matching a pattern to values of one kind, with at least one and at most
 * {@code maxEntries} entries ({@link Kinds#mapOf}).
 */
final class MapKind<V> extends Kind<Map<String, V>> {
    private final Kind<V> values;
    private final String keyPattern;
    private final NamePattern keys;
    private final int maxEntries;

    MapKind(Kind<V> values, NamePattern keys, int maxEntries) {
        this.values = values;
        this.keyPattern = keys.regex();
        this.keys = keys;
        this.maxEntries = maxEntries;
    }

    @Override
    public Map<String, V> read(JsonNode n, String path, Subject s) {
        if (!n.isObject()) {
            throw mismatch(n, path, s);
        }
        if (n.isEmpty() || n.size() > maxEntries) {
            throw error(path, s, "expected 1 to " + maxEntries + " entries, found " + n.size());
        }
        LinkedHashMap<String, V> out = new LinkedHashMap<>(n.size() * 4 / 3 + 1);
        var it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            String childPath = ObjectKind.child(path, e.getKey());
            if (!keys.matches(e.getKey())) {
                throw error(childPath, s, "name '" + e.getKey() + "' does not match the pattern " + keyPattern);
            }
            if (e.getValue().isNull()) {
                throw error(childPath, s, "expected a value, found null");
            }
            out.put(e.getKey(), values.read(e.getValue(), childPath, s));
        }
        return new FrozenMap<>(out, keys);
    }

    @Override
    protected Map<String, V> read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.START_OBJECT) {
            throw mismatch(in);
        }
        int level = in.depth();
        LinkedHashMap<String, V> out = new LinkedHashMap<>();
        ProtocolException first = null; // the first entry's problem; the count's comes before it, as in the tree
        int count = 0;
        while (in.next() == JsonToken.FIELD_NAME) {
            String key = in.parser().currentName();
            in.next();
            if (++count > maxEntries || first != null) {
                in.skipTo(level);
                continue;
            }
            first = entry(in, key, out);
            if (first != null) {
                in.skipTo(level);
            }
        }
        if (count == 0 || count > maxEntries) {
            throw error("", in.subject(), "expected 1 to " + maxEntries + " entries, found " + count);
        }
        if (first != null) {
            throw first;
        }
        return new FrozenMap<>(out, keys);
    }

    /** Reads one entry into {@code out}; its problem, or null. */
    private ProtocolException entry(TokenInput in, String key, Map<String, V> out) throws IOException {
        if (!keys.matches(key)) {
            return error(ObjectKind.child("", key), in.subject(), "name '" + key + "' does not match the pattern " + keyPattern);
        }
        if (in.token() == JsonToken.VALUE_NULL) {
            return error(ObjectKind.child("", key), in.subject(), "expected a value, found null");
        }
        try {
            out.put(key, values.read(in));
            return null;
        } catch (ProtocolException e) {
            return TokenInput.under(ObjectKind.child("", key), e);
        }
    }

    @Override
    public JsonNode write(Map<String, V> v) {
        ObjectNode o = NODES.objectNode();
        v.forEach((k, x) -> o.set(k, values.write(x)));
        return o;
    }

    @Override
    public ObjectNode schema() {
        ObjectNode o = NODES.objectNode().put("type", "object").put("minProperties", 1).put("maxProperties", maxEntries);
        o.putObject("propertyNames").put("pattern", "^(?:" + keyPattern + ")$");
        o.set("additionalProperties", values.schema());
        return o;
    }

    @Override
    protected String expected() {
        return "an object";
    }
}

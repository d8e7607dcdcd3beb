package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A JSON object with declared {@link Field}s, mapped to a Java value (usually a record). Strict
 * by default: an unknown member, a missing required one, a member of the wrong type or a wrong
 * constant is an error naming its JSON path. Members are written in declaration order, so
 * encoding is deterministic (the golden vectors rely on it).
 *
 * @param <M> the Java type of the whole object
 */
public final class ObjectKind<M> extends Kind<M> {
    private final String title;
    private final String description;
    private final boolean strict;
    private final List<Field<?>> fields;
    private final Field<?>[] declared; // the fields as an array: the streaming read indexes them
    private final Set<String> names;
    private final Function<Values, M> reader;
    private final Function<M, Values> writer;

    private ObjectKind(String title, String description, boolean strict, List<Field<?>> fields,
                       Function<Values, M> reader, Function<M, Values> writer) {
        this.title = title;
        this.description = description;
        this.strict = strict;
        this.fields = List.copyOf(fields);
        this.declared = fields.toArray(new Field<?>[0]);
        this.names = fields.stream().map(Field::name).collect(Collectors.toCollection(HashSet::new));
        if (fields.size() > 64) {
            throw new IllegalArgumentException("fields: at most 64 in " + title + ", was " + fields.size());
        }
        if (names.size() != fields.size()) {
            throw new IllegalArgumentException("fields: two fields share a name in " + title);
        }
        this.reader = reader;
        this.writer = writer;
    }

    /** A strict object: unknown members are errors. */
    public static <M> ObjectKind<M> strict(String title, String description, List<Field<?>> fields,
                                           Function<Values, M> reader, Function<M, Values> writer) {
        return new ObjectKind<>(title, description, true, fields, reader, writer);
    }

    /** A lenient object: unknown members are ignored (for bodies that Azure's SDKs extend). */
    public static <M> ObjectKind<M> lenient(String title, String description, List<Field<?>> fields,
                                            Function<Values, M> reader, Function<M, Values> writer) {
        return new ObjectKind<>(title, description, false, fields, reader, writer);
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    @Override
    public M read(JsonNode node, String path, Subject s) {
        if (!node.isObject()) {
            throw mismatch(node, path, s);
        }
        if (strict) {
            var it = node.fieldNames();
            while (it.hasNext()) {
                String name = it.next();
                if (!names.contains(name)) {
                    throw error(child(path, name), s, "unknown member '" + name + "'; " + title + " has " + names());
                }
            }
        }
        Values values = Values.of();
        for (Field<?> f : fields) {
            readField(node, path, s, f, values);
        }
        try {
            return reader.apply(values);
        } catch (IllegalArgumentException e) {
            // a record's own cross-field check, e.g. "confirm: must be true": from the input, so the input's fault
            throw error(path, s, e.getMessage());
        }
    }

    /**
     * The streaming read reports what the tree read does: an unknown member before anything else (it stops at once), then
     * in declaration order a missing member or a member's own problem (each member's problem is kept, the rest of its value
     * skipped, until the object ends), then the record's own check.
     */
    @Override
    protected M read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.START_OBJECT && !in.insideReadAheadObject()) {
            throw mismatch(in);
        }
        int level = in.depth();
        Field<?>[] declared = this.declared;
        Object[] read = new Object[declared.length];
        long present = 0; // bit i: declared[i] was there (at most 64 fields)
        ProtocolException[] problems = null;
        for (int k = 0; k < in.readAhead(); k++) { // members a variant read looking for its discriminator: as the tree read
            String name = in.aheadName(k);
            int i = indexOf(name);
            if (i < 0) {
                if (strict) {
                    in.clearReadAhead();
                    throw error(child("", name), in.subject(), "unknown member '" + name + "'; " + title + " has " + names());
                }
                continue;
            }
            present |= 1L << i;
            try {
                read[i] = member(in.aheadValue(k), declared[i], in.subject());
            } catch (ProtocolException e) {
                if (problems == null) {
                    problems = new ProtocolException[declared.length];
                }
                problems[i] = TokenInput.under(child("", name), e);
            }
        }
        in.clearReadAhead();
        while (in.next() == JsonToken.FIELD_NAME) {
            String name = in.parser().currentName();
            int i = indexOf(name);
            in.next();
            if (i < 0) {
                if (strict) {
                    throw error(child("", name), in.subject(), "unknown member '" + name + "'; " + title + " has " + names());
                }
                in.skipTo(level);
                continue;
            }
            present |= 1L << i;
            try {
                read[i] = member(in, declared[i]);
            } catch (ProtocolException e) {
                if (problems == null) {
                    problems = new ProtocolException[declared.length];
                }
                problems[i] = TokenInput.under(child("", name), e);
                in.skipTo(level);
            }
        }
        for (int i = 0; i < declared.length; i++) {
            if ((present & (1L << i)) == 0 && declared[i].isRequired()) {
                throw error("", in.subject(), "missing required member '" + declared[i].name() + "'");
            }
            if (problems != null && problems[i] != null) {
                throw problems[i];
            }
        }
        try {
            return reader.apply(Values.of(declared, read));
        } catch (IllegalArgumentException e) {
            throw error("", in.subject(), e.getMessage());
        }
    }

    /** A present member's value (null for a constant), its problem relative to itself. */
    private static Object member(TokenInput in, Field<?> f) throws IOException {
        if (in.token() == JsonToken.VALUE_NULL) {
            throw error("", in.subject(), "expected a value, found null (leave an optional member out instead)");
        }
        JsonNode constant = f.constant();
        if (constant == null) {
            return f.kind().read(in);
        }
        JsonParser p = in.parser();
        boolean same = constant.isIntegralNumber()
                ? in.token() == JsonToken.VALUE_NUMBER_INT && Kinds.fitsLong(p) && p.getLongValue() == constant.longValue()
                : in.token() == JsonToken.VALUE_STRING && p.getText().equals(constant.textValue());
        if (!same) {
            throw error("", in.subject(), "expected " + constant + ", found " + in.tree());
        }
        return null;
    }

    /** A member read ahead (a text as its {@code String}, else a tree): what {@link #readField} does, relative to the member. */
    private static Object member(Object ahead, Field<?> f, Subject s) {
        if (ahead instanceof String text && f.constant() != null && f.constant().isTextual()) {
            if (!text.equals(f.constant().textValue())) {
                throw error("", s, "expected " + f.constant() + ", found " + NODES.textNode(text));
            }
            return null;
        }
        JsonNode value = ahead instanceof String text ? NODES.textNode(text) : (JsonNode) ahead;
        if (value.isNull()) {
            throw error("", s, "expected a value, found null (leave an optional member out instead)");
        }
        if (f.constant() != null) {
            if (!sameConstant(f.constant(), value)) {
                throw error("", s, "expected " + f.constant() + ", found " + value);
            }
            return null;
        }
        return f.kind().read(value, "", s);
    }

    private int indexOf(String name) {
        for (int i = 0; i < declared.length; i++) {
            if (declared[i].name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private String names() {
        return fields.stream().map(Field::name).collect(Collectors.joining(", "));
    }

    private static <T> void readField(JsonNode node, String path, Subject s, Field<T> f, Values values) {
        JsonNode member = node.get(f.name());
        String at = child(path, f.name());
        if (member == null) {
            if (f.isRequired()) {
                throw error(path, s, "missing required member '" + f.name() + "'");
            }
            return;
        }
        if (member.isNull()) {
            throw error(at, s, "expected a value, found null (leave an optional member out instead)");
        }
        if (f.constant() != null) {
            if (!sameConstant(f.constant(), member)) {
                throw error(at, s, "expected " + f.constant() + ", found " + member);
            }
            return;
        }
        values.put(f, f.kind().read(member, at, s));
    }

    private static boolean sameConstant(JsonNode constant, JsonNode member) {
        if (constant.isIntegralNumber()) {
            return member.isIntegralNumber() && member.canConvertToLong() && member.longValue() == constant.longValue();
        }
        return constant.equals(member);
    }

    @Override
    public ObjectNode write(M value) {
        Values values = writer.apply(value);
        ObjectNode o = NODES.objectNode();
        for (Field<?> f : fields) {
            writeField(o, f, values);
        }
        return o;
    }

    private static <T> void writeField(ObjectNode o, Field<T> f, Values values) {
        if (f.constant() != null) {
            o.set(f.name(), f.constant());
        } else if (values.has(f)) {
            o.set(f.name(), f.kind().write(values.raw(f)));
        } else if (f.isRequired()) {
            throw new IllegalArgumentException("value: required member '" + f.name() + "' has no value");
        }
    }

    @Override
    public ObjectNode schema() {
        ObjectNode o = NODES.objectNode().put("type", "object");
        ObjectNode properties = o.putObject("properties");
        ArrayNode required = NODES.arrayNode();
        for (Field<?> f : fields) {
            ObjectNode p = f.constant() != null ? NODES.objectNode().set("const", f.constant()) : f.kind().schema();
            p.put("description", f.description());
            properties.set(f.name(), p);
            if (f.isRequired()) {
                required.add(f.name());
            }
        }
        if (!required.isEmpty()) {
            o.set("required", required);
        }
        o.put("additionalProperties", !strict);
        return o;
    }

    /** The schema with a title and description, for use as a variant or a top-level schema. */
    public ObjectNode titledSchema() {
        ObjectNode s = NODES.objectNode().put("title", title).put("description", description);
        s.setAll(schema());
        return s;
    }

    @Override
    protected String expected() {
        return "an object (" + title + ")";
    }

    /** The JSON path of a member: {@code $.a.b}, or {@code $.a['odd name']}. */
    static String child(String path, String name) {
        boolean plain = !name.isEmpty() && !Character.isDigit(name.charAt(0));
        for (int i = 0; plain && i < name.length(); i++) { // a loop, not a stream: this runs for every member decoded
            char c = name.charAt(i);
            plain = Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }
        return plain ? path + "." + name : path + "['" + name.replace("'", "\\'") + "']";
    }

    /** The declared fields, in order. */
    List<Field<?>> fields() {
        return new ArrayList<>(fields);
    }
}

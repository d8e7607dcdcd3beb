package io.fleetkit.protocol.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.codec.Kind;
import io.fleetkit.protocol.codec.Kinds;

/** A reading: a number, a boolean or a text of up to 256 characters. */
public final class ReadingKind extends Kind<Reading> {
    public static final ReadingKind INSTANCE = new ReadingKind();

    private ReadingKind() {
    }

    @Override
    public Reading read(JsonNode n, String path, Subject s) {
        if (n.isNumber()) {
            return new Reading.Num(Kinds.number().read(n, path, s));
        }
        if (n.isBoolean()) {
            return new Reading.Bool(n.booleanValue());
        }
        if (n.isTextual()) {
            return new Reading.Text(Kinds.string(0, Reading.Text.MAX_LENGTH, null).read(n, path, s));
        }
        throw mismatch(n, path, s);
    }

    @Override
    public JsonNode write(Reading r) {
        if (r instanceof Reading.Num num) {
            return Kinds.number().write(num.value());
        }
        if (r instanceof Reading.Bool b) {
            return JsonNodeFactory.instance.booleanNode(b.value());
        }
        return JsonNodeFactory.instance.textNode(((Reading.Text) r).value());
    }

    @Override
    public ObjectNode schema() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.putArray("type").add("number").add("boolean").add("string");
        o.put("maxLength", Reading.Text.MAX_LENGTH);
        return o;
    }

    @Override
    protected String expected() {
        return "a number, boolean or string";
    }
}

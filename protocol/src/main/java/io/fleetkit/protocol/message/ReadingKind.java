package io.fleetkit.protocol.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.codec.Kind;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.TokenInput;

import java.io.IOException;

/** A reading: a number, a boolean or a text of up to 256 characters. */
public final class ReadingKind extends Kind<Reading> {
    public static final ReadingKind INSTANCE = new ReadingKind();
    private static final Kind<Double> NUMBER = Kinds.number();
    private static final Kind<String> TEXT = Kinds.string(0, Reading.Text.MAX_LENGTH, null);

    private ReadingKind() {
    }

    @Override
    public Reading read(JsonNode n, String path, Subject s) {
        if (n.isNumber()) {
            return new Reading.Num(NUMBER.read(n, path, s));
        }
        if (n.isBoolean()) {
            return Reading.of(n.booleanValue());
        }
        if (n.isTextual()) {
            return new Reading.Text(TEXT.read(n, path, s));
        }
        throw mismatch(n, path, s);
    }

    @Override
    protected Reading read(TokenInput in) throws IOException {
        return switch (in.token()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Reading.Num(Kinds.readNumber(in, this));
            case VALUE_TRUE -> Reading.Bool.TRUE;
            case VALUE_FALSE -> Reading.Bool.FALSE;
            case VALUE_STRING -> new Reading.Text(Kinds.read(TEXT, in));
            default -> throw mismatch(in);
        };
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

package io.fleetkit.protocol.codec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.io.IOException;

/** A kind whose value is a JSON string (a text, a timestamp, an enum's wire name): both reads check that, then {@link #fromText}. */
abstract class TextKind<T> extends Kind<T> {
    @Override
    public final T read(JsonNode n, String path, Subject s) {
        if (!n.isTextual()) {
            throw mismatch(n, path, s);
        }
        return fromText(n.textValue(), path, s);
    }

    @Override
    protected final T read(TokenInput in) throws IOException {
        if (in.token() != JsonToken.VALUE_STRING) {
            throw mismatch(in);
        }
        return fromText(in.parser().getText(), "", in.subject());
    }

    /** The value a text stands for, or the error at {@code path}. */
    abstract T fromText(String text, String path, Subject s);

    @Override
    protected String expected() {
        return "a string";
    }
}

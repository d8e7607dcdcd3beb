package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A cursor over a topic or username, for the grammar parsers in this package. Every failure is
 * a {@link ProtocolException} that quotes the whole input and names the index where it went
 * wrong. Not thread-safe; one per parse.
 */
final class TextReader {
    private final Subject subject;
    private final String text;
    private int pos;

    TextReader(Subject subject, String text) {
        if (text == null) {
            throw new ProtocolException(subject, null, null, "must not be null");
        }
        this.subject = subject;
        this.text = text;
    }

    String text() {
        return text;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos == text.length();
    }

    /** Consumes {@code literal} if the input continues with it. */
    boolean tryLiteral(String literal) {
        if (text.startsWith(literal, pos)) {
            pos += literal.length();
            return true;
        }
        return false;
    }

    void literal(String literal) {
        if (!tryLiteral(literal)) {
            throw error(pos, "expected '" + literal + "' but found '" + rest(literal.length()) + "'");
        }
    }

    /** Reads up to (not including) the next '/', which must exist; the segment must not be empty. */
    String segment(String what) {
        int slash = text.indexOf('/', pos);
        if (slash < 0) {
            throw error(pos, "expected " + what + " followed by '/'");
        }
        if (slash == pos) {
            throw error(pos, "empty " + what);
        }
        String s = text.substring(pos, slash);
        pos = slash + 1;
        return s;
    }

    /** Builds a typed value from the text at the current segment, turning its failure into one that points here. */
    <T> T typed(String raw, int at, Function<String, T> factory) {
        try {
            return factory.apply(raw);
        } catch (ProtocolException e) {
            throw error(at, e.getMessage());
        }
    }

    /** Reads a decimal status code or counter: digits only, no sign, no leading zero. */
    long number(String raw, int at, String what, long max) {
        if (raw.isEmpty()) {
            throw error(at, "empty " + what);
        }
        if (raw.length() > 1 && raw.charAt(0) == '0') {
            throw error(at, what + " '" + raw + "' has a leading zero");
        }
        long value = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                throw error(at + i, what + " '" + raw + "' is not a decimal number");
            }
            int digit = c - '0';
            if (value > (max - digit) / 10) { // checked before it is computed: past Long.MAX_VALUE it would wrap negative
                throw error(at, what + " '" + raw + "' is larger than " + max);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /**
     * Reads {@code key=value&key=value} up to the end of the input. Keys must be among
     * {@code allowed} (null allows any) and appear once.
     *
     * @param decode whether values are URL-encoded (usernames) or literal (topic queries)
     */
    Map<String, Param> params(Set<String> allowed, boolean decode) {
        LinkedHashMap<String, Param> out = new LinkedHashMap<>();
        int end = text.length();
        while (pos < end) {
            int amp = text.indexOf('&', pos);
            if (amp < 0) {
                amp = end;
            }
            int eq = text.indexOf('=', pos);
            if (eq < 0 || eq > amp) {
                throw error(pos, "parameter '" + text.substring(pos, amp) + "' has no '=' and value");
            }
            String key = text.substring(pos, eq);
            if (key.isEmpty()) {
                throw error(pos, "parameter with an empty name");
            }
            if (allowed != null && !allowed.contains(key)) {
                throw error(pos, "unexpected parameter '" + key + "'; expected " + String.join(", ", allowed));
            }
            if (out.containsKey(key)) {
                throw error(pos, "duplicate parameter '" + key + "'");
            }
            String value = decode ? PercentCodec.decode(text, eq + 1, amp, subject, text, 0) : text.substring(eq + 1, amp);
            out.put(key, new Param(value, eq + 1));
            if (amp == end - 1) {
                throw error(amp, "trailing '&'");
            }
            pos = amp == end ? end : amp + 1;
        }
        return out;
    }

    Param require(Map<String, Param> params, String key) {
        Param p = params.get(key);
        if (p == null) {
            throw error(text.length(), "missing parameter '" + key + "'");
        }
        return p;
    }

    void end() {
        if (pos != text.length()) {
            throw error(pos, "unexpected '" + rest(20) + "' after the end of the " + subject.label());
        }
    }

    ProtocolException error(int at, String reason) {
        return new ProtocolException(subject, text, "index " + at, reason);
    }

    private String rest(int max) {
        return text.substring(pos, Math.min(text.length(), pos + max));
    }

    /** A parameter value and the index where it starts. */
    record Param(String value, int at) {
    }
}

package io.fleetkit.backend.routing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A routing query in IoT Hub's language, parsed once: comparisons ({@code = != <> < > <= >=}) of
 * application properties, {@code $}-system properties and {@code $body.a.b} fields with string
 * ('…'), number, {@code true}/{@code false} and {@code null} literals, joined by {@code AND},
 * {@code OR}, {@code NOT} and parentheses, {@code IS_DEFINED(x)}, or just {@code true}.
 * A field that is missing makes its comparison false (as in IoT Hub). Immutable and thread-safe.
 *
 * <pre>type = 'alert' AND $body.severity = 'critical'</pre>
 */
public final class RouteCondition {
    public static final RouteCondition TRUE = parse("true");

    private final String text;
    private final Expr root;

    private RouteCondition(String text, Expr root) {
        this.text = text;
        this.root = root;
    }

    /**
     * @throws IllegalArgumentException naming the position and what was expected
     */
    public static RouteCondition parse(String text) {
        Objects.requireNonNull(text, "text");
        Parser p = new Parser(text);
        Expr e = p.or();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos, Math.min(text.length(), p.pos + 12)) + "'");
        }
        return new RouteCondition(text, e);
    }

    public boolean matches(RoutableMessage m) {
        return root.test(m) == Boolean.TRUE;
    }

    @Override
    public String toString() {
        return text;
    }

    // --- the tree ---

    private interface Expr {
        /** TRUE, FALSE, or null for undefined (a missing field). */
        Boolean test(RoutableMessage m);
    }

    private interface Operand {
        /** A string, a Double, a Boolean, JsonNode-null as the NULL marker, or Optional.empty() when undefined. */
        Optional<Object> value(RoutableMessage m);
    }

    private static final Object NULL = new Object();

    private record Literal(Object value) implements Operand {
        @Override
        public Optional<Object> value(RoutableMessage m) {
            return Optional.of(value);
        }
    }

    private record Property(String name) implements Operand {
        @Override
        public Optional<Object> value(RoutableMessage m) {
            return m.applicationProperty(name).map(v -> (Object) v);
        }
    }

    private record SystemField(String name) implements Operand {
        @Override
        public Optional<Object> value(RoutableMessage m) {
            return m.systemProperty(name).map(v -> (Object) v);
        }
    }

    private record BodyField(List<String> path) implements Operand {
        @Override
        public Optional<Object> value(RoutableMessage m) {
            Optional<JsonNode> body = m.body();
            if (body.isEmpty()) {
                return Optional.empty();
            }
            JsonNode n = body.get();
            for (String step : path) {
                n = n.get(step);
                if (n == null) {
                    return Optional.empty();
                }
            }
            if (n.isNull()) {
                return Optional.of(NULL);
            }
            if (n.isNumber()) {
                return Optional.of(n.doubleValue());
            }
            if (n.isBoolean()) {
                return Optional.of(n.booleanValue());
            }
            return n.isTextual() ? Optional.of(n.textValue()) : Optional.of(n.toString());
        }
    }

    private record Compare(Operand left, String op, Operand right) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            Optional<Object> l = left.value(m);
            Optional<Object> r = right.value(m);
            if (l.isEmpty() || r.isEmpty()) {
                return null;
            }
            Object a = l.get();
            Object b = r.get();
            // properties are strings on the wire: compare them with numbers as numbers when they read as numbers
            if (a instanceof String s && b instanceof Double) {
                a = asNumber(s);
            } else if (b instanceof String s && a instanceof Double) {
                b = asNumber(s);
            }
            if (a == null || b == null) {
                return false;
            }
            int c;
            if (a instanceof Double x && b instanceof Double y) {
                c = Double.compare(x, y);
            } else if (a instanceof String x && b instanceof String y) {
                c = x.compareTo(y);
            } else if (a.equals(b)) {
                c = 0;
            } else {
                return op.equals("!=") || op.equals("<>") ? Boolean.TRUE : Boolean.FALSE;
            }
            return switch (op) {
                case "=" -> c == 0;
                case "!=", "<>" -> c != 0;
                case "<" -> c < 0;
                case ">" -> c > 0;
                case "<=" -> c <= 0;
                default -> c >= 0;
            };
        }

        private static Double asNumber(String s) {
            try {
                return Double.valueOf(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private record IsDefined(Operand operand) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            return operand.value(m).isPresent();
        }
    }

    private record Constant(boolean value) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            return value;
        }
    }

    private record And(Expr a, Expr b) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            Boolean x = a.test(m);
            if (x == Boolean.FALSE) {
                return false;
            }
            Boolean y = b.test(m);
            if (y == Boolean.FALSE) {
                return false;
            }
            return x == null || y == null ? null : Boolean.TRUE;
        }
    }

    private record Or(Expr a, Expr b) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            Boolean x = a.test(m);
            if (x == Boolean.TRUE) {
                return true;
            }
            Boolean y = b.test(m);
            if (y == Boolean.TRUE) {
                return true;
            }
            return x == null || y == null ? null : Boolean.FALSE;
        }
    }

    private record Not(Expr e) implements Expr {
        @Override
        public Boolean test(RoutableMessage m) {
            Boolean x = e.test(m);
            return x == null ? null : !x;
        }
    }

    // --- the parser: recursive descent, one method per precedence level ---

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Expr or() {
            Expr e = and();
            while (keyword("OR")) {
                e = new Or(e, and());
            }
            return e;
        }

        Expr and() {
            Expr e = not();
            while (keyword("AND")) {
                e = new And(e, not());
            }
            return e;
        }

        Expr not() {
            if (keyword("NOT")) {
                return new Not(not());
            }
            return primary();
        }

        Expr primary() {
            skipSpace();
            if (peek('(')) {
                pos++;
                Expr e = or();
                expect(')');
                return e;
            }
            if (keyword("IS_DEFINED")) {
                expect('(');
                Operand o = operand();
                expect(')');
                return new IsDefined(o);
            }
            int start = pos;
            if (keyword("true") && !comparisonFollows()) {
                return new Constant(true);
            }
            pos = start;
            if (keyword("false") && !comparisonFollows()) {
                return new Constant(false);
            }
            pos = start;
            Operand left = operand();
            String op = operator();
            Operand right = operand();
            return new Compare(left, op, right);
        }

        private boolean comparisonFollows() {
            skipSpace();
            return pos < s.length() && "=!<>".indexOf(s.charAt(pos)) >= 0;
        }

        String operator() {
            skipSpace();
            for (String op : List.of("<=", ">=", "<>", "!=", "=", "<", ">")) {
                if (s.startsWith(op, pos)) {
                    pos += op.length();
                    return op;
                }
            }
            throw error("expected a comparison (= != <> < > <= >=)");
        }

        Operand operand() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("expected a property, $body field or literal, found the end");
            }
            char c = s.charAt(pos);
            if (c == '\'') {
                StringBuilder b = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= s.length()) {
                        throw error("unterminated string");
                    }
                    char x = s.charAt(pos++);
                    if (x == '\'') {
                        if (pos < s.length() && s.charAt(pos) == '\'') {
                            b.append('\'');
                            pos++;
                            continue;
                        }
                        return new Literal(b.toString());
                    }
                    b.append(x);
                }
            }
            if (c == '-' || Character.isDigit(c)) {
                int start = pos++;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || ".eE+-".indexOf(s.charAt(pos)) >= 0)) {
                    pos++;
                }
                try {
                    return new Literal(Double.valueOf(s.substring(start, pos)));
                } catch (NumberFormatException e) {
                    String text = s.substring(start, pos);
                    pos = start;
                    throw error("'" + text + "' is not a number");
                }
            }
            if (c == '$') {
                pos++;
                String name = identifier();
                if (name.equals("body")) {
                    List<String> path = new ArrayList<>();
                    while (peek('.')) {
                        pos++;
                        path.add(identifier());
                    }
                    if (path.isEmpty()) {
                        throw error("expected $body.field");
                    }
                    return new BodyField(path);
                }
                return new SystemField(name);
            }
            String name = identifier();
            switch (name.toLowerCase(Locale.ROOT)) {
                case "true" -> {
                    return new Literal(Boolean.TRUE);
                }
                case "false" -> {
                    return new Literal(Boolean.FALSE);
                }
                case "null" -> {
                    return new Literal(NULL);
                }
                default -> {
                    return new Property(name);
                }
            }
        }

        String identifier() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '-')) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a name");
            }
            return s.substring(start, pos);
        }

        boolean keyword(String k) {
            skipSpace();
            if (s.regionMatches(true, pos, k, 0, k.length())) {
                int end = pos + k.length();
                if (end == s.length() || !(Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    pos = end;
                    return true;
                }
            }
            return false;
        }

        void expect(char c) {
            skipSpace();
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalArgumentException error(String reason) {
            return new IllegalArgumentException("route condition '" + s + "' at position " + pos + ": " + reason);
        }
    }
}

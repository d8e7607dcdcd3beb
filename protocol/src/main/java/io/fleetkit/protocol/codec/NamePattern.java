package io.fleetkit.protocol.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A pattern for names that repeat — reading names, model ids — which remembers up to {@value #REMEMBERED} names that
 * matched, so a name seen before is not matched again (a {@link java.util.regex.Matcher} is ~200 bytes, and a telemetry
 * message has a name per reading). Past that many it still answers, by matching. Thread-safe.
 */
public final class NamePattern {
    static final int REMEMBERED = 4_096;

    private final Pattern pattern;
    private final Map<String, Boolean> matched = new ConcurrentHashMap<>();

    public NamePattern(String regex) {
        this.pattern = Pattern.compile(regex);
    }

    /** Whether the whole name matches. */
    public boolean matches(String name) {
        if (matched.containsKey(name)) {
            return true;
        }
        boolean matches = pattern.matcher(name).matches();
        if (matches && matched.size() < REMEMBERED) {
            matched.put(name, Boolean.TRUE);
        }
        return matches;
    }

    /** The regular expression. */
    public String regex() {
        return pattern.pattern();
    }
}

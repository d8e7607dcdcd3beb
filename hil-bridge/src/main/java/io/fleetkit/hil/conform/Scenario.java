package io.fleetkit.hil.conform;

import io.fleetkit.protocol.ProtocolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.protocol.id.MethodName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A conformance scenario: one step per line, {@code #} starts a comment.
 * <pre>
 * wait 2s
 * expect telemetry within 3s                 # telemetry | lifecycle | alert | presence | led
 * invoke identify {"durationSeconds": 2}     # a method with its JSON payload (none: null)
 * invoke getDiagnostics ignore=/uptimeSeconds,/freeHeapBytes   # payload values not to compare
 * press                                      # the button, injected on both devices
 * </pre>
 */
public record Scenario(String name, List<Step> steps) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");
    static final Set<String> EXPECTABLE = Set.of("telemetry", "lifecycle", "alert", "presence", "led");

    /** One step, with the line it came from. */
    public sealed interface Step {
        int line();

        record Wait(int line, Duration duration) implements Step {
        }

        record Invoke(int line, MethodName method, JsonNode payload, Set<String> ignore, Duration timeout) implements Step {
        }

        record Press(int line) implements Step {
        }

        record Expect(int line, String what, Duration within) implements Step {
        }
    }

    public Scenario {
        steps = List.copyOf(steps);
    }

    /** @throws IllegalArgumentException naming the file and line of the first mistake */
    public static Scenario load(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such scenario");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static Scenario parse(String name, String text) {
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0 && !line.substring(0, hash).contains("{")) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                steps.add(step(i + 1, line));
            } catch (IllegalArgumentException | ProtocolException e) {
                throw new IllegalArgumentException(name + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(name + ": no steps");
        }
        return new Scenario(name, steps);
    }

    private static Step step(int line, String text) {
        String[] words = text.split("\\s+", 2);
        String rest = words.length > 1 ? words[1].strip() : "";
        switch (words[0].toLowerCase(Locale.ROOT)) {
            case "wait" -> {
                return new Step.Wait(line, duration(rest));
            }
            case "press" -> {
                if (!rest.isEmpty()) {
                    throw new IllegalArgumentException("'press' takes nothing after it");
                }
                return new Step.Press(line);
            }
            case "expect" -> {
                String[] p = rest.split("\\s+");
                if (p.length != 3 || !p[1].equals("within") || !EXPECTABLE.contains(p[0])) {
                    throw new IllegalArgumentException("expected 'expect <telemetry|lifecycle|alert|presence|led> within <time>'");
                }
                return new Step.Expect(line, p[0], duration(p[2]));
            }
            case "invoke" -> {
                return invoke(line, rest);
            }
            default -> throw new IllegalArgumentException("unknown step '" + words[0] + "'; expected wait, expect, invoke or press");
        }
    }

    private static Step.Invoke invoke(int line, String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("'invoke' needs a method name");
        }
        String[] p = rest.split("\\s+", 2);
        MethodName method = MethodName.of(p[0]);
        String tail = p.length > 1 ? p[1].strip() : "";
        Set<String> ignore = Set.of();
        Duration timeout = Duration.ofSeconds(5);
        JsonNode payload = JSON.nullNode();
        // options at the end: ignore=/a,/b timeout=5s
        Matcher options = Pattern.compile("\\s*((?:ignore|timeout)=\\S+)\\s*$").matcher(tail);
        while (options.find()) {
            String[] kv = options.group(1).split("=", 2);
            if (kv[0].equals("ignore")) {
                ignore = Set.of(kv[1].split(","));
            } else {
                timeout = duration(kv[1]);
            }
            tail = tail.substring(0, options.start());
            options = Pattern.compile("\\s*((?:ignore|timeout)=\\S+)\\s*$").matcher(tail);
        }
        if (!tail.isBlank()) {
            try {
                payload = JSON.readTree(tail);
            } catch (IOException e) {
                throw new IllegalArgumentException("the payload of '" + method.value() + "' is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return new Step.Invoke(line, method, payload, ignore, timeout);
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a time; write it like 500ms, 3s or 1m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }
}

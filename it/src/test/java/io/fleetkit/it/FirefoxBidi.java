package io.fleetkit.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Firefox driven over WebDriver BiDi, the W3C protocol Firefox serves itself
 * ({@code --remote-debugging-port}). Selenium reaches Firefox only through geckodriver, which Debian
 * does not package and this machine cannot download, so the few commands a page check needs —
 * navigate, evaluate, screenshot, console entries — are sent here directly.
 */
final class FirefoxBidi implements AutoCloseable {
    static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    /** No network of its own on a closed machine: no updates, telemetry, experiments or remote settings. */
    private static final List<String> PREFS = List.of(
            "user_pref(\"app.update.disabledForTesting\", true);",
            "user_pref(\"app.normandy.enabled\", false);",
            "user_pref(\"messaging-system.rsexperimentloader.enabled\", false);",
            "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
            "user_pref(\"toolkit.telemetry.enabled\", false);",
            "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
            "user_pref(\"network.connectivity-service.enabled\", false);",
            "user_pref(\"services.settings.server\", \"data:,\");");

    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final List<JsonNode> logEntries = new CopyOnWriteArrayList<>();
    private final Object logged = new Object(); // notified on each log entry
    private final String context;

    private FirefoxBidi(Process process, WebSocket socket, Listener listener) throws Exception {
        this.process = process;
        this.socket = socket;
        listener.owner = this;
        command("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
        command("session.subscribe", JSON.createObjectNode().set("events", JSON.createArrayNode().add("log.entryAdded")));
        JsonNode tree = command("browsingContext.getTree", JSON.createObjectNode());
        this.context = tree.at("/contexts/0/context").asText();
    }

    /** Starts Firefox with a fresh profile under {@code profile} and opens a BiDi session on its one tab. */
    static FirefoxBidi launch(Path profile) throws Exception {
        Files.createDirectories(profile);
        Files.write(profile.resolve("user.js"), PREFS);
        Process p = new ProcessBuilder(FIREFOX.toString(), "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port", "0", "--width", "1280", "--height", "900", "about:blank")
                .redirectErrorStream(true).start();
        String url = awaitListening(p);
        Listener listener = new Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url + "/session"), listener).get(15, TimeUnit.SECONDS);
        return new FirefoxBidi(p, ws, listener);
    }

    private static String awaitListening(Process p) throws Exception {
        CompletableFuture<String> url = new CompletableFuture<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException ended) {
                // the process is gone
            }
            url.completeExceptionally(new IllegalStateException("Firefox exited before serving WebDriver BiDi: " + output));
        }, "firefox-output");
        reader.setDaemon(true);
        reader.start();
        return url.get(60, TimeUnit.SECONDS);
    }

    /** Sends a command and waits for its result; a BiDi error is thrown with its message. */
    JsonNode command(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode r = reply.get(60, TimeUnit.SECONDS);
        if ("error".equals(r.path("type").asText())) {
            throw new IllegalStateException(method + ": " + r.path("error").asText() + ": " + r.path("message").asText());
        }
        return r.get("result");
    }

    void navigate(String url) throws Exception {
        command("browsingContext.navigate", JSON.createObjectNode().put("context", context).put("url", url).put("wait", "complete"));
    }

    /** Evaluates a JavaScript expression in the page (promises awaited); gives its value as JSON. */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true);
        params.putObject("target").put("context", context);
        JsonNode r = command("script.evaluate", params);
        if ("exception".equals(r.path("type").asText())) {
            throw new IllegalStateException("page script threw: " + r.at("/exceptionDetails/text").asText());
        }
        return r.get("result");
    }

    /** The text of the first element matching {@code selector}, or "" if there is none. */
    String text(String selector) throws Exception {
        return evaluate("(document.querySelector(" + JSON.writeValueAsString(selector) + ") || {textContent: ''}).textContent")
                .path("value").asText();
    }

    /** Waits until {@code check} holds for the page's text of {@code selector}. */
    void awaitText(String selector, Predicate<String> check, Duration timeout) throws Exception {
        String[] last = {null};
        await(() -> check.test(last[0] = text(selector)), timeout, () -> "'" + selector + "' still shows '" + last[0] + "'");
    }

    /** Waits until a JavaScript condition is true. */
    void awaitTrue(String expression, Duration timeout) throws Exception {
        await(() -> evaluate(expression).path("value").asBoolean(false), timeout, () -> "still not true: " + expression);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Checks, and while it does not hold waits in the page for its next change (a DOM mutation; at
     * most a second, for state that is not in the DOM), until the deadline.
     */
    private void await(Check check, Duration timeout, java.util.function.Supplier<String> failure) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Firefox, after " + timeout + ": " + failure.get());
            }
            evaluate(NEXT_CHANGE);
        }
    }

    private static final String NEXT_CHANGE = "new Promise(done => {"
            + " const seen = new MutationObserver(() => { seen.disconnect(); done(true); });"
            + " seen.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});"
            + " setTimeout(() => { seen.disconnect(); done(false); }, 1000); })";

    /** Waits until a console error containing {@code text} has been logged. */
    void awaitConsoleError(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (logged) {
            while (consoleErrors().stream().noneMatch(e -> e.contains(text))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Firefox logged no console error containing '" + text + "' within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(logged, left);
            }
        }
    }

    /** The whole page, not only what the window shows. */
    void screenshot(Path file) throws Exception {
        JsonNode r = command("browsingContext.captureScreenshot", JSON.createObjectNode().put("context", context).put("origin", "document"));
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    /** Console and JavaScript log entries at level error, as "text (source)". */
    List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : logEntries) {
            if ("error".equals(e.path("level").asText())) {
                out.add(e.path("text").asText() + " (" + e.path("type").asText() + ")");
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // Firefox is going anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void received(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (n.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(n.get("id").asInt());
            if (f != null) {
                f.complete(n);
            }
        } else if ("log.entryAdded".equals(n.path("method").asText())) {
            synchronized (logged) {
                logEntries.add(n.get("params"));
                logged.notifyAll();
            }
        }
    }

    /** Collects the WebSocket's text frames into messages. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile FirefoxBidi owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                if (owner != null) {
                    owner.received(message);
                }
            }
            ws.request(1);
            return null;
        }
    }
}

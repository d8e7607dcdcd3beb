package io.fleetkit.backend.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenID Connect provider process for the tests: npm's oauth2-mock-server (pinned in the root package.json, installed
 * by {@code npm ci}) run by {@code src/test/resources/oidc/mock-idp.mjs}, serving discovery and its JWKS on a free port and
 * minting RS256 tokens on command. Fails at once, saying what to run, when Node or the package is missing.
 */
public final class TestOidcProvider implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("src/test/resources/oidc/mock-idp.mjs");
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final String issuer;
    private final String firstKid;

    private TestOidcProvider(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        if (first == null) {
            throw new AssertionError("the OpenID Connect mock server did not start: " + new String(process.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8) + " (run 'npm ci' in the repository root: it installs oauth2-mock-server)");
        }
        JsonNode hello = JSON.readTree(first);
        this.issuer = hello.get("issuer").asText();
        this.firstKid = hello.get("kid").asText();
    }

    public static TestOidcProvider start() {
        if (!Files.exists(SCRIPT)) {
            throw new AssertionError("no " + SCRIPT.toAbsolutePath() + ": run the test from the backend module");
        }
        try {
            return new TestOidcProvider(new ProcessBuilder("node", SCRIPT.toString(), "0").start());
        } catch (IOException e) {
            throw new AssertionError("cannot run node (Node.js 20, as the README's test command installs): " + e, e);
        }
    }

    /** The issuer URL its tokens name, e.g. {@code http://localhost:41234}. */
    public String issuer() {
        return issuer;
    }

    public String firstKid() {
        return firstKid;
    }

    /** A token signed with key {@code kid} (null: the provider's choice), living {@code expiresInSeconds}, with these claims. */
    public synchronized String token(String kid, long expiresInSeconds, Map<String, Object> claims) {
        ObjectNode command = JSON.createObjectNode().put("cmd", "token").put("expiresIn", expiresInSeconds);
        if (kid != null) {
            command.put("kid", kid);
        }
        command.set("claims", JSON.valueToTree(claims));
        return ask(command).get("token").asText();
    }

    /** A new signing key, published in the JWKS beside the others; returns its key id. */
    public synchronized String rotate() {
        return ask(JSON.createObjectNode().put("cmd", "rotate")).get("kid").asText();
    }

    private JsonNode ask(ObjectNode command) {
        try {
            in.write(command + "\n");
            in.flush();
            JsonNode answer = JSON.readTree(out.readLine());
            if (answer.has("error")) {
                throw new AssertionError("mock OpenID Connect provider: " + answer.get("error").asText());
            }
            return answer;
        } catch (IOException e) {
            throw new AssertionError("mock OpenID Connect provider: " + e, e);
        }
    }

    /** Stops the provider (it is then down: discovery and its JWKS refuse connections). */
    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}

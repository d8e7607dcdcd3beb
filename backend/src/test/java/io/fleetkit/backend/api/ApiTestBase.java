package io.fleetkit.backend.api;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** A backend with no devices, its API on a free port, and a token each for the user alice and an operator. */
@ThrowAwayPki.Use
abstract class ApiTestBase {
    @TempDir
    static Path tmp;
    static Backend backend;
    static ApiClient api;
    static String alice;
    static String operator;

    @BeforeAll
    static void start(ThrowAwayPki throwAway) {
        PkiDirectory pki = throwAway.directory();
        backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0).start();
        api = new ApiClient(backend.httpPort());
        alice = backend.devIssuer().mint("alice", false, Duration.ofMinutes(5));
        operator = backend.devIssuer().mint("ops", true, Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        backend.close();
    }
}

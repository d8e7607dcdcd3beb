package io.fleetkit.backend.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST request readers against any body and any query parameter (Jazzer): each answers a value or refuses with a 400
 * problem that says what is wrong — no other exception (which the API would turn into a 500). Seeds: the bodies the
 * API's own tests send ({@code RequestsFuzzTestInputs/}).
 */
class RequestsFuzzTest {
    /** Every member some endpoint reads, so one body exercises all the field readers. */
    private static final Set<String> FIELDS = Set.of("devices", "rateMultiplier", "device", "status", "payload", "delayMs",
            "noAnswer", "windowSeconds", "profile", "enabled");

    @FuzzTest(maxDuration = "60s")
    void bodies(FuzzedDataProvider data) {
        answersOrRefusesWith400(() -> {
            JsonNode body = Requests.object(Requests.json(data.consumeRemainingAsBytes()), FIELDS);
            Requests.intField(body, "devices", -1, 0, Integer.MAX_VALUE);
            Requests.numberField(body, "rateMultiplier", 0.01, 1000);
            Requests.stringField(body, "device");
            Requests.intField(body, "status", -1, 100, 599);
            Requests.booleanField(body, "noAnswer", false);
        });
    }

    @FuzzTest(maxDuration = "60s")
    void queryParameters(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        answersOrRefusesWith400(() -> Requests.integer("limit", raw, 100, 1, 1000));
        answersOrRefusesWith400(() -> Requests.instant("from", raw, Instant.EPOCH));
    }

    private static void answersOrRefusesWith400(Runnable read) {
        try {
            read.run();
        } catch (ApiProblem problem) {
            assertThat(problem.status()).isEqualTo(400);
            assertThat(problem.getMessage()).isNotBlank();
        }
    }
}

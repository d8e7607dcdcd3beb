package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request readers' values and refusals, exactly: each refusal a 400 naming the parameter or JSON pointer. */
class RequestsTest {
    private static JsonNode body(String json) {
        return Requests.object(Requests.json(json.getBytes(StandardCharsets.UTF_8)), Set.of("n", "x", "b", "s"));
    }

    private static void badRequest(Runnable read, String field, String detail) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.detail()).isEqualTo(detail);
        });
    }

    @Test
    void integerFieldsWithinTheirRange() {
        assertThat(Requests.intField(body("{\"n\":10}"), "n", -1, 10, 20)).isEqualTo(10);
        assertThat(Requests.intField(body("{\"n\":20}"), "n", -1, 10, 20)).isEqualTo(20);
        assertThat(Requests.intField(body("{}"), "n", -1, 10, 20)).as("absent").isEqualTo(-1);
        badRequest(() -> Requests.intField(body("{\"n\":9}"), "n", -1, 10, 20), "/n", "field 'n' must be 10–20, was 9");
        badRequest(() -> Requests.intField(body("{\"n\":21}"), "n", -1, 10, 20), "/n", "field 'n' must be 10–20, was 21");
        badRequest(() -> Requests.intField(body("{\"n\":1.5}"), "n", -1, 10, 20), "/n", "field 'n' must be an integer, was a number with a fraction");
        badRequest(() -> Requests.intField(body("{\"n\":99999999999}"), "n", -1, 10, 20), "/n",
                "field 'n' must be an integer, was an integer out of range");
        badRequest(() -> Requests.intField(body("{\"n\":\"7\"}"), "n", -1, 10, 20), "/n", "field 'n' must be an integer, was a string");
    }

    @Test
    void numberFieldsWithinTheirRange() {
        assertThat(Requests.numberField(body("{\"x\":0.5}"), "x", 0.5, 2)).isEqualTo(0.5);
        assertThat(Requests.numberField(body("{\"x\":2}"), "x", 0.5, 2)).isEqualTo(2.0);
        assertThat(Requests.numberField(body("{}"), "x", 0.5, 2)).isNaN();
        badRequest(() -> Requests.numberField(body("{\"x\":0.49}"), "x", 0.5, 2), "/x", "field 'x' must be 0.5–2.0, was 0.49");
        badRequest(() -> Requests.numberField(body("{\"x\":2.01}"), "x", 0.5, 2), "/x", "field 'x' must be 0.5–2.0, was 2.01");
        badRequest(() -> Requests.numberField(body("{\"x\":true}"), "x", 0.5, 2), "/x", "field 'x' must be a number, was a boolean");
    }

    @Test
    void booleanAndStringFields() {
        assertThat(Requests.booleanField(body("{\"b\":true}"), "b", false)).isTrue();
        assertThat(Requests.booleanField(body("{\"b\":false}"), "b", true)).isFalse();
        assertThat(Requests.booleanField(body("{}"), "b", true)).isTrue();
        assertThat(Requests.booleanField(body("{}"), "b", false)).isFalse();
        badRequest(() -> Requests.booleanField(body("{\"b\":null}"), "b", false), "/b", "field 'b' must be true or false, was null");
        assertThat(Requests.stringField(body("{\"s\":\"abc\"}"), "s")).isEqualTo("abc");
        assertThat(Requests.stringField(body("{}"), "s")).isNull();
        badRequest(() -> Requests.stringField(body("{\"s\":[1]}"), "s"), "/s", "field 's' must be a string, was an array");
    }

    @Test
    void bodies() {
        assertThat(Requests.json(new byte[0])).isNull();
        assertThat(body("").isObject()).as("no body is an empty object").isTrue();
        assertThat(body("{\"n\":1,\"s\":\"a\"}").size()).isEqualTo(2);
        badRequest(() -> body("[1]"), "", "the body must be a JSON object, was an array");
        badRequest(() -> body("{\"other\":1}"), "/other", "unknown field 'other'; the body may have " + Set.of("n", "x", "b", "s"));
        assertThatThrownBy(() -> body("{\"n\":1")).isInstanceOf(ApiProblem.class).hasMessageStartingWith("the body is not valid JSON at line 1, column");
        assertThatThrownBy(() -> body("{\"n\":1,\"n\":2}")).isInstanceOf(ApiProblem.class).hasMessageContaining("Duplicate field 'n'");
        assertThatThrownBy(() -> body("{} {}")).isInstanceOf(ApiProblem.class).hasMessageStartingWith("the body is not valid JSON");
    }

    @Test
    void queryParameters() {
        assertThat(Requests.integer("limit", "1", 100, 1, 1000)).isEqualTo(1);
        assertThat(Requests.integer("limit", "1000", 100, 1, 1000)).isEqualTo(1000);
        assertThat(Requests.integer("limit", null, 100, 1, 1000)).as("absent").isEqualTo(100);
        badRequest(() -> Requests.integer("limit", "0", 100, 1, 1000), "limit", "query parameter 'limit' must be 1–1000, was 0");
        badRequest(() -> Requests.integer("limit", "1001", 100, 1, 1000), "limit", "query parameter 'limit' must be 1–1000, was 1001");
        badRequest(() -> Requests.integer("limit", "ten", 100, 1, 1000), "limit", "query parameter 'limit' must be an integer, was 'ten'");
        Instant t = Instant.parse("2026-11-26T20:00:00Z");
        assertThat(Requests.instant("from", "2026-11-26T20:00:00Z", Instant.EPOCH)).isEqualTo(t);
        assertThat(Requests.instant("from", null, t)).as("absent").isEqualTo(t);
        badRequest(() -> Requests.instant("from", "yesterday", Instant.EPOCH), "from",
                "query parameter 'from' must be an ISO-8601 instant such as 2026-11-26T20:00:00Z, was 'yesterday'");
    }
}

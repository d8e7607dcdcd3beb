package io.fleetkit.backend.routing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.PropertyBag;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route conditions and routes files against any text (Jazzer): a condition parses or is refused with an
 * {@link IllegalArgumentException} naming the position; one that parses evaluates on any message without throwing, and
 * means the same in parentheses and joined with itself. A routes file parses or is refused naming the file.
 * Seeds: the conditions and files of {@link RouterTest} and {@link RoutesConfigTest} ({@code RoutingFuzzTestInputs/}).
 */
class RoutingFuzzTest {
    private static final List<RoutableMessage> MESSAGES = List.of(
            RouterTest.message("alert", "{\"severity\":\"critical\",\"reading\":{\"temperature\":31.5},\"acknowledged\":false,"
                    + "\"note\":null,\"list\":[1,\"a\"],\"big\":1e308,\"deep\":{\"a\":{\"b\":{\"c\":\"\\u0000\"}}}}"),
            RouterTest.message("telemetry", "not json {"),
            RouterTest.message("", "[1,2,3]"),
            new RoutableMessage(new DeviceToCloudMessage(DeviceId.of("d"), Optional.empty(), PropertyBag.builder().build(),
                    "\"a string\"".getBytes(StandardCharsets.UTF_8), Instant.EPOCH)));

    @FuzzTest(maxDuration = "60s")
    void conditions(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        RouteCondition condition;
        try {
            condition = RouteCondition.parse(text);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        RouteCondition twice = RouteCondition.parse("(" + text + ") AND (" + text + ")");
        RouteCondition either = RouteCondition.parse("(" + text + ") OR (" + text + ")");
        for (RoutableMessage m : MESSAGES) {
            boolean matches = condition.matches(m);
            assertThat(twice.matches(m)).as("(%s) AND itself", text).isEqualTo(matches);
            assertThat(either.matches(m)).as("(%s) OR itself", text).isEqualTo(matches);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void routesFiles(FuzzedDataProvider data) {
        try {
            RoutesConfig config = RoutesConfig.parse(data.consumeRemainingAsString(), "routes.json");
            new Router(config.routes(), config.fallback()).endpoints();
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("routes.json: ");
        }
    }
}

package io.fleetkit.backend.routing;

import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.PropertyBag;
import io.fleetkit.protocol.mqtt.SystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {

    static RoutableMessage message(String type, String body) {
        PropertyBag bag = PropertyBag.builder()
                .put(SystemProperty.CONTENT_TYPE, "application/json")
                .put(SystemProperty.CONTENT_ENCODING, "utf-8")
                .put("type", type)
                .put("level", "7")
                .build();
        return new RoutableMessage(new DeviceToCloudMessage(DeviceId.of("dev-1"), Optional.empty(), bag,
                body.getBytes(StandardCharsets.UTF_8), Instant.now()));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "type = 'alert' AND $body.severity = 'critical'      | true",
            "type = 'alert' AND $body.severity = 'info'          | false",
            "type = 'telemetry' OR $body.severity = 'critical'   | true",
            "NOT (type = 'telemetry')                            | true",
            "$body.reading.temperature > 30                      | true",
            "$body.reading.temperature <= 30                     | false",
            "level >= 7 AND level < 8                            | true",
            "level <> 7                                          | false",
            "$contentType = 'application/json'                   | true",
            "$connectionDeviceId = 'dev-1'                       | true",
            "IS_DEFINED($body.severity)                          | true",
            "IS_DEFINED($body.missing)                           | false",
            "$body.missing = 'x'                                 | false",
            "NOT ($body.missing = 'x')                           | false",
            "$body.acknowledged = false                          | true",
            "$body.note = null                                   | true",
            "true                                                | true",
            "false OR type = 'alert'                             | true",
            "type = 'it''s'                                      | false",
    })
    void conditions(String condition, boolean expected) {
        RoutableMessage m = message("alert", "{\"severity\":\"critical\",\"reading\":{\"temperature\":31.5},"
                + "\"acknowledged\":false,\"note\":null}");
        assertThat(RouteCondition.parse(condition).matches(m)).isEqualTo(expected);
    }

    @Test
    void bodyQueriesNeedJsonInUtf8() {
        PropertyBag plain = PropertyBag.builder().put("type", "alert").build();
        RoutableMessage m = new RoutableMessage(new DeviceToCloudMessage(DeviceId.of("d"), Optional.empty(), plain,
                "{\"severity\":\"critical\"}".getBytes(StandardCharsets.UTF_8), Instant.now()));
        assertThat(RouteCondition.parse("$body.severity = 'critical'").matches(m)).isFalse();
        assertThat(RouteCondition.parse("type = 'alert'").matches(m)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "type =                   | position 6: expected a property, $body field or literal, found the end",
            "type 'alert'             | position 5: expected a comparison",
            "(type = 'a'              | position 11: expected ')'",
            "type = 'unterminated     | unterminated string",
            "$body = 1                | position 5: expected $body.field",
            "type = 'a' AND           | expected a property",
            "type = 'a' extra         | position 11: unexpected 'extra'",
    })
    void badConditionsNameThePosition(String condition, String expected) {
        assertThatThrownBy(() -> RouteCondition.parse(condition.strip()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected.strip());
    }

    @Test
    void routingByConcernWithFallback() {
        Router router = new Router(List.of(
                Route.of("telemetry", RouteSource.DEVICE_MESSAGES, "type = 'telemetry'", "telemetry"),
                Route.of("lifecycle", RouteSource.DEVICE_MESSAGES, "type = 'lifecycle'", "lifecycle"),
                Route.of("critical", RouteSource.DEVICE_MESSAGES, "type = 'alert' AND $body.severity = 'critical'", "alerts"),
                Route.of("all-alerts", RouteSource.DEVICE_MESSAGES, "type = 'alert'", "alerts"),
                Route.of("connections", RouteSource.DEVICE_LIFECYCLE_EVENTS, "true", "lifecycle")), true);
        assertThat(router.route(RouteSource.DEVICE_MESSAGES, message("telemetry", "{}"))).containsExactly("telemetry");
        assertThat(router.route(RouteSource.DEVICE_MESSAGES, message("alert", "{\"severity\":\"critical\"}")))
                .as("each endpoint once").containsExactly("alerts");
        assertThat(router.route(RouteSource.DEVICE_MESSAGES, message("presence", "{}"))).containsExactly(Router.EVENTS);
        assertThat(router.endpoints()).containsExactly("telemetry", "lifecycle", "alerts", Router.EVENTS);

        Router noFallback = new Router(router.routes(), false);
        assertThat(noFallback.route(RouteSource.DEVICE_MESSAGES, message("presence", "{}"))).isEmpty();
        assertThatThrownBy(() -> new Router(List.of(Route.of("a", RouteSource.DEVICE_MESSAGES, "true", "x"),
                Route.of("a", RouteSource.DEVICE_MESSAGES, "true", "y")), true)).hasMessageContaining("two routes are named 'a'");
        assertThatThrownBy(() -> Route.of("bad name!", RouteSource.DEVICE_MESSAGES, "true", "x")).hasMessageContaining("route name");
        assertThatThrownBy(() -> Route.of("ok", RouteSource.DEVICE_MESSAGES, "true", "Bad")).hasMessageContaining("endpoint name");
    }
}

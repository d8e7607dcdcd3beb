package io.fleetkit.backend.routing;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutesConfigTest {
    @Test
    void aRoutesFileBecomesRoutes() {
        RoutesConfig c = RoutesConfig.parse("""
                {"fallback": false, "routes": [
                  {"name": "telemetry", "source": "DeviceMessages", "condition": "type = 'telemetry'", "endpoint": "telemetry"},
                  {"name": "critical", "source": "DeviceMessages", "condition": "type = 'alert' AND $body.severity = 'critical'",
                   "endpoint": "alerts", "enabled": false},
                  {"name": "connections", "source": "DeviceLifecycleEvents", "condition": "true", "endpoint": "lifecycle"}
                ]}""", "routes.json");
        assertThat(c.fallback()).isFalse();
        assertThat(c.routes()).extracting(Route::name).containsExactly("telemetry", "critical", "connections");
        assertThat(c.routes().get(1).enabled()).isFalse();
        assertThat(c.routes().get(2).source()).isEqualTo(RouteSource.DEVICE_LIFECYCLE_EVENTS);
        assertThat(new Router(c.routes(), c.fallback()).endpoints()).containsExactly("telemetry", "alerts", "lifecycle");
        assertThat(RoutesConfig.parse("{\"routes\": []}", "x").fallback()).as("fallback on by default").isTrue();
    }

    @Test
    void everyMistakeNamesTheFileAndThePlace() {
        assertRefused("{\"routes\": [}", "routes.json: not valid JSON at line 1");
        assertRefused("[]", "routes.json: expected a JSON object");
        assertRefused("{\"fallback\": \"yes\", \"routes\": []}", "routes.json: /fallback: expected true or false");
        assertRefused("{\"rutes\": []}", "routes.json: /rutes: unknown field");
        assertRefused("{\"routes\": {}}", "routes.json: /routes: expected an array");
        assertRefused("{\"routes\": [{\"name\": \"a\", \"source\": \"DeviceMessages\", \"endpoint\": \"e\"}]}",
                "routes.json: /routes/0/condition: expected a string, it is missing");
        assertRefused("{\"routes\": [{\"name\": \"a\", \"source\": \"Messages\", \"condition\": \"true\", \"endpoint\": \"e\"}]}",
                "routes.json: /routes/0/source: 'Messages' is not a route source");
        assertRefused("{\"routes\": [{\"name\": \"a\", \"source\": \"DeviceMessages\", \"condition\": \"type = \", \"endpoint\": \"e\"}]}",
                "routes.json: /routes/0: ");
        assertRefused("{\"routes\": [{\"name\": \"a\", \"source\": \"DeviceMessages\", \"condition\": \"true\", \"endpoint\": \"Bad Name\"}]}",
                "routes.json: /routes/0: endpoint:");
        assertRefused("{\"routes\": [{\"name\": \"a\", \"source\": \"DeviceMessages\", \"condition\": \"true\", \"endpoint\": \"e\", \"to\": 1}]}",
                "routes.json: /routes/0/to: unknown field");
        assertRefused("""
                {"routes": [{"name": "a", "source": "DeviceMessages", "condition": "true", "endpoint": "e"},
                            {"name": "a", "source": "DeviceMessages", "condition": "true", "endpoint": "f"}]}""",
                "routes.json: /routes/1/name: a route named 'a' is already defined");
        assertThatThrownBy(() -> RoutesConfig.load(Path.of("/nonexistent/routes.json")))
                .hasMessage("/nonexistent/routes.json: no such file");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> RoutesConfig.parse(json, "routes.json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}

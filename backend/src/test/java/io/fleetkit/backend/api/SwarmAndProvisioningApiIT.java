package io.fleetkit.backend.api;

import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.backend.testing.ApiClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' routes behind the dashboard's swarm and provisioning pages, over real HTTP: a
 * user's token is refused (403), no swarm is a 404 that says why, each body is read strictly (400
 * naming the field), and what reaches the swarm is what the body said.
 */
@Timeout(60)
class SwarmAndProvisioningApiIT extends ApiTestBase {
    final RecordingSwarm swarm = new RecordingSwarm();

    @AfterEach
    void detach() {
        backend.attachSwarm(null);
    }

    @Test
    void withoutASwarmEveryRouteSaysThereIsNone() {
        for (Response r : List.of(api.get("/api/v1/swarm", operator), send("PATCH", "/api/v1/swarm", operator, "{\"devices\":1}"),
                api.post("/api/v1/swarm/devices/dev-1/button", operator, ""))) {
            assertThat(r.status()).as(r.text()).isEqualTo(404);
            assertThat(r.json().get("detail").asText()).contains("no simulated swarm runs in this process");
        }
        assertThat(api.get("/api/v1/fleet", operator).json().has("swarm")).isFalse();
    }

    @Test
    void usersAreRefused() {
        backend.attachSwarm(swarm);
        for (Response r : List.of(api.get("/api/v1/swarm", alice), send("PUT", "/api/v1/swarm/overrides/reboot", alice, "{}"),
                api.get("/api/v1/provisioning", alice), send("PUT", "/api/v1/provisioning/throttle", alice, "{\"profile\":\"s1\"}"))) {
            assertThat(r.status()).as(r.text()).isEqualTo(403);
            assertThat(r.json().get("detail").asText()).contains("for operators", "alice");
        }
        assertThat(swarm.calls).isEmpty();
    }

    @Test
    void resizeAndRateReachTheSwarmAndBadBodiesDoNot() {
        backend.attachSwarm(swarm);
        Response ok = send("PATCH", "/api/v1/swarm", operator, "{\"devices\": 12, \"rateMultiplier\": 2.5}");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.json().get("active").asInt()).isEqualTo(12);
        assertThat(swarm.calls).containsExactly("resize 12", "rate 2.5");

        swarm.calls.clear();
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{}"), "", "give 'devices'");
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{\"devices\": -1}"), "/devices", "must be 0–");
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{\"devices\": \"5\"}"), "/devices", "must be an integer");
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{\"rateMultiplier\": 0}"), "/rateMultiplier", "must be");
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{\"size\": 5}"), "/size", "unknown field");
        assertBad(send("PATCH", "/api/v1/swarm", operator, "{\"devices\": 99999}"), "/devices", "at most 100");
        assertThat(swarm.calls).as("only the last one reached the swarm, which refused it").containsExactly("resize 99999");
    }

    @Test
    void overridesAndTheButtonReachTheSwarm() {
        backend.attachSwarm(swarm);
        Response set = send("PUT", "/api/v1/swarm/overrides/identify", operator,
                "{\"device\": \"dev-1\", \"status\": 503, \"payload\": {\"busy\": true}, \"delayMs\": 250}");
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(swarm.calls).containsExactly("override identify Optional[dev-1] Optional[MethodAnswer[status=OptionalInt[503], "
                + "payloadJson=Optional[{\"busy\":true}], delayMillis=250, noAnswer=false]]");
        assertThat(set.json().at("/overrides/dev-1/identify/payload/busy").asBoolean()).isTrue();

        swarm.calls.clear();
        assertThat(send("PUT", "/api/v1/swarm/overrides/reboot", operator, "{\"noAnswer\": true}").status()).isEqualTo(200);
        assertThat(api.delete("/api/v1/swarm/overrides/reboot?device=dev-1", operator).status()).isEqualTo(200);
        assertThat(swarm.calls).containsExactly(
                "override reboot Optional.empty Optional[MethodAnswer[status=OptionalInt.empty, payloadJson=Optional.empty, delayMillis=0, noAnswer=true]]",
                "override reboot Optional[dev-1] Optional.empty");

        assertBad(send("PUT", "/api/v1/swarm/overrides/reboot", operator, "{\"status\": 700}"), "/status", "100–599");
        assertBad(send("PUT", "/api/v1/swarm/overrides/reboot", operator, "{\"noAnswer\": \"yes\"}"), "/noAnswer", "true or false");
        assertBad(send("PUT", "/api/v1/swarm/overrides/reboot", operator, "{\"delayMs\": 1, \"delayMs\": 2}"), "", "Duplicate");
        Response unknown = send("PUT", "/api/v1/swarm/overrides/reboot", operator, "{\"device\": \"elsewhere\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asText()).isEqualTo("no device 'elsewhere' in the swarm");

        assertThat(api.post("/api/v1/swarm/devices/dev-1/button", operator, "").status()).isEqualTo(204);
        assertThat(api.post("/api/v1/swarm/devices/elsewhere/button", operator, "").status()).isEqualTo(404);
        assertThat(swarm.calls).contains("button dev-1");

        assertThat(api.get("/api/v1/fleet", operator).json().at("/swarm/states/ONLINE").asInt()).isEqualTo(3);
    }

    @Test
    void provisioningShowsEnrollmentsAndSwitchesTheThrottle() {
        Response p = api.get("/api/v1/provisioning", operator);
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        assertThat(p.json().get("idScope").asText()).isEqualTo("0ne00000001");
        assertThat(p.json().at("/enrollments/0/name").asText()).isEqualTo("factory");
        assertThat(p.json().at("/enrollments/0/kind").asText()).isEqualTo("group");
        assertThat(p.json().get("recentRegistrations")).isEmpty();

        Response s1 = send("PUT", "/api/v1/provisioning/throttle", operator, "{\"profile\": \"s1x2\"}");
        assertThat(s1.status()).as(s1.text()).isEqualTo(200);
        assertThat(s1.json().get("throttleProfile").asText()).isEqualTo(backend.hub().throttles().profile().name()).startsWith("s1");
        assertBad(send("PUT", "/api/v1/provisioning/throttle", operator, "{\"profile\": \"s9\"}"), "/profile", "'s9' is not known");
        assertBad(send("PUT", "/api/v1/provisioning/throttle", operator, "{}"), "/profile", "required");
        assertThat(send("PUT", "/api/v1/provisioning/throttle", operator, "{\"profile\": \"off\"}").status()).isEqualTo(200);

        Response off = send("PATCH", "/api/v1/provisioning/enrollments/factory", operator, "{\"enabled\": false}");
        assertThat(off.json().at("/enrollments/0/enabled").asBoolean()).isFalse();
        assertThat(send("PATCH", "/api/v1/provisioning/enrollments/factory", operator, "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(send("PATCH", "/api/v1/provisioning/enrollments/nope", operator, "{\"enabled\": true}").status()).isEqualTo(404);
        assertBad(send("PATCH", "/api/v1/provisioning/enrollments/factory", operator, "{}"), "/enabled", "required");
    }

    private static Response send(String method, String path, String token, String body) {
        return api.send(api.request(path, token).method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void assertBad(Response r, String field, String detail) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asText("")).isEqualTo(field);
        assertThat(r.json().get("detail").asText()).contains(detail);
    }

    /** A swarm of three online devices (dev-1 … dev-3) that records what it is told. */
    static final class RecordingSwarm implements SwarmControl {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        int active = 3;

        @Override
        public Status status() {
            Map<String, Map<String, MethodAnswer>> overrides = Map.of("dev-1", Map.of("identify",
                    new MethodAnswer(OptionalInt.of(503), Optional.of("{\"busy\":true}"), 250, false)));
            return new Status(active, 3, 100, 1, "thermostat", Map.of("ONLINE", 3, "OFF", 0), overrides, Map.of(), Map.of());
        }

        @Override
        public void resize(int devices) {
            calls.add("resize " + devices);
            if (devices > 100) {
                throw new IllegalArgumentException("devices must be 0–100, was " + devices + " (at most 100 here)");
            }
            active = devices;
        }

        @Override
        public void changeRate(double multiplier) {
            calls.add("rate " + multiplier);
        }

        @Override
        public boolean override(String method, Optional<String> deviceId, Optional<MethodAnswer> override) {
            if (deviceId.isPresent() && !deviceId.get().startsWith("dev-")) {
                return false;
            }
            calls.add("override " + method + " " + deviceId + " " + override);
            return true;
        }

        @Override
        public boolean pressButton(String deviceId) {
            calls.add("button " + deviceId);
            return deviceId.startsWith("dev-");
        }
    }
}

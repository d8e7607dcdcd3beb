package io.fleetkit.backend.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DPS's allocation policies across linked hubs, as Azure's: evenly weighted (a stable hash), static per enrollment, and a
 * custom webhook in Azure Functions' shape — here a real HTTP server on a free port.
 */
class DpsAllocationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<HubHostName> HUBS = List.of(HubHostName.of("hub-a.local"), HubHostName.of("hub-b.local"), HubHostName.of("hub-c.local"));

    final Twins twins = Twins.inMemory();
    final List<JsonNode> webhookRequests = new CopyOnWriteArrayList<>();
    HttpServer webhook;

    @AfterEach
    void stopWebhook() {
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    DpsService dps(AllocationPolicy policy) {
        Enrollments enrollments = new Enrollments();
        enrollments.add(new Enrollment.Group("factory", DpsServiceTest.INTERMEDIATE.certificate(), true, policy));
        DpsService dps = new DpsService(IdScope.DEFAULT, new HubAllocation(HUBS), enrollments, new InMemoryDeviceRegistry(), Clock.systemUTC(), 2);
        dps.initialTwins(twins);
        return dps;
    }

    /** Registers, then polls until the operation is done; the registration state as the device sees it. */
    static JsonNode register(DpsService dps, String id) throws IOException {
        DeviceIdentity device = DpsServiceTest.device(id);
        DpsReply accepted = dps.register(RegistrationId.of(id), device.credential().chain(), DpsServiceTest.body(id));
        assertThat(accepted.status()).as(new String(accepted.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        OperationId op = OperationId.of(DpsServiceTest.json(accepted).get("operationId").asText());
        DpsReply[] last = new DpsReply[1];
        Eventually.until("the registration of " + id + " decided", () -> {
            last[0] = dps.poll(RegistrationId.of(id), op);
            return last[0].status() != 202;
        });
        assertThat(last[0].status()).isEqualTo(200);
        return DpsServiceTest.json(last[0]).get("registrationState");
    }

    URI webhook(Function<JsonNode, int[]> status, Function<JsonNode, String> answer) throws IOException {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/api/allocate", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            webhookRequests.add(request);
            byte[] body = answer.apply(request).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.apply(request)[0], body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        webhook.start();
        return URI.create("http://127.0.0.1:" + webhook.getAddress().getPort() + "/api/allocate");
    }

    @Test
    void evenlyWeightedDistributionSpreadsDevicesOverEveryLinkedHubTheSameWayEachTime() throws IOException {
        DpsService dps = dps(AllocationPolicy.DEFAULT);
        Map<String, Integer> perHub = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            JsonNode state = register(dps, "spread-" + i);
            assertThat(state.get("status").asText()).isEqualTo("assigned");
            perHub.merge(state.get("assignedHub").asText(), 1, Integer::sum);
        }
        assertThat(perHub.keySet()).containsExactly("hub-a.local", "hub-b.local", "hub-c.local");
        assertThat(perHub.values()).allSatisfy(n -> assertThat(n).as("roughly a third of 60: %s", perHub).isBetween(10, 30));
        DpsService again = dps(AllocationPolicy.DEFAULT); // another process, another day: the same hub for the same device
        assertThat(register(again, "spread-7").get("assignedHub").asText()).isEqualTo(register(dps(AllocationPolicy.DEFAULT), "spread-7")
                .get("assignedHub").asText());
    }

    @Test
    void aStaticEnrollmentPinsItsDevicesToItsHub() throws IOException {
        DpsService dps = dps(AllocationPolicy.parse("static:hub-b.local", HUBS));
        for (int i = 0; i < 10; i++) {
            assertThat(register(dps, "pinned-" + i).get("assignedHub").asText()).isEqualTo("hub-b.local");
        }
        assertThatThrownBy(() -> AllocationPolicy.parse("static:elsewhere.local", HUBS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a linked hub").hasMessageContaining("hub-a.local");
        assertThatThrownBy(() -> AllocationPolicy.parse("round-robin", HUBS)).hasMessageContaining("expected hashed, static:HOST or custom:URL");
        assertThatThrownBy(() -> AllocationPolicy.parse("custom:ftp://x/y", HUBS)).hasMessageContaining("http(s) URL");
    }

    @Test
    void aCustomWebhookGetsAzuresAllocationRequestAndItsAnswerIsHonouredWithTheInitialTwin() throws IOException {
        URI url = webhook(r -> new int[]{200}, r -> "{\"iotHubHostName\":\"hub-c.local\",\"initialTwin\":{\"tags\":{},"
                + "\"properties\":{\"desired\":{\"telemetryIntervalSeconds\":42}}}}");
        DpsService dps = dps(new AllocationPolicy.Custom(url));
        JsonNode state = register(dps, "custom-001");
        assertThat(state.get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("assignedHub").asText()).as("the webhook's choice").isEqualTo("hub-c.local");
        assertThat(twins.get(DeviceId.of("custom-001")).desired().get("telemetryIntervalSeconds").asInt()).as("its initial twin").isEqualTo(42);

        JsonNode request = webhookRequests.get(0);
        assertThat(request.get("enrollmentGroup").get("enrollmentGroupId").asText()).isEqualTo("factory");
        assertThat(request.get("enrollmentGroup").get("allocationPolicy").asText()).isEqualTo("custom");
        assertThat(request.get("deviceRuntimeContext").get("registrationId").asText()).isEqualTo("custom-001");
        assertThat(request.get("linkedHubs")).extracting(JsonNode::asText).containsExactly("hub-a.local", "hub-b.local", "hub-c.local");

        JsonNode again = register(dps, "custom-001");
        assertThat(again.get("substatus").asText()).as("registering again keeps the hub").isEqualTo("reprovisionedToInitialAssignment");
        assertThat(webhookRequests).hasSize(1);
    }

    @Test
    void aWebhookErrorOrAnUnlinkedHubFailsTheRegistrationWithDpsStatus() throws IOException {
        URI url = webhook(r -> new int[]{r.get("deviceRuntimeContext").get("registrationId").asText().equals("refused-1") ? 500 : 200},
                r -> "{\"iotHubHostName\":\"somewhere-else.local\"}");
        DpsService dps = dps(new AllocationPolicy.Custom(url));
        JsonNode refused = register(dps, "refused-1");
        assertThat(refused.get("status").asText()).isEqualTo("failed");
        assertThat(refused.get("errorCode").asInt()).isEqualTo(400209);
        assertThat(refused.get("errorMessage").asText()).isEqualTo("Custom allocation failed with status code: 500");

        JsonNode unlinked = register(dps, "unlinked-1");
        assertThat(unlinked.get("status").asText()).isEqualTo("failed");
        assertThat(unlinked.get("errorMessage").asText()).contains("'somewhere-else.local', which is not a linked hub");

        DpsService nobody = dps(new AllocationPolicy.Custom(URI.create("http://127.0.0.1:1/api/allocate")));
        assertThat(register(nobody, "unreachable-1").get("errorMessage").asText()).startsWith("Custom allocation failed: the webhook");
    }
}

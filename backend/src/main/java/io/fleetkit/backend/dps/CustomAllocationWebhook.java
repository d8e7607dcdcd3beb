package io.fleetkit.backend.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Calls an enrollment's custom allocation webhook as DPS calls an Azure Function
 * (<a href="https://learn.microsoft.com/azure/iot-dps/concepts-custom-allocation">custom allocation policies</a>): a POST of
 * an AllocationRequest ({@code individualEnrollment} or {@code enrollmentGroup}, {@code deviceRuntimeContext},
 * {@code linkedHubs}), answered by an AllocationResponse ({@code iotHubHostName}, optional {@code initialTwin}). Anything but a
 * 200 naming a linked hub fails the registration, with DPS's error code 400209 and its message ("Custom allocation failed with
 * status code: 401", as DPS answers). At most {@link #MAX_IN_FLIGHT} calls at a time, each at most {@link #TIMEOUT}.
 */
final class CustomAllocationWebhook {
    static final int MAX_IN_FLIGHT = 256;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** DPS's error code for a failed custom allocation (seen in its registration states). */
    static final int FAILED = 400209;
    /** The largest answer read: an initial twin is at most a few tens of KB. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    /** What the webhook decided. */
    sealed interface Outcome {
        /** The hub, and the initial desired properties (empty when the webhook gave none). */
        record Assigned(HubHostName hub, ObjectNode initialDesired) implements Outcome {
        }

        /** The registration fails with this message. */
        record Failed(String message) implements Outcome {
        }
    }

    /**
     * Asks the webhook; empty when {@link #MAX_IN_FLIGHT} calls are waiting already (DPS then answers 429). The future never
     * fails: every failure is an {@link Outcome.Failed}.
     *
     * @param current the device's hub when it registered before (Azure passes it for re-provisioning), or null
     */
    Optional<CompletableFuture<Outcome>> allocate(AllocationPolicy.Custom policy, Enrollment enrollment, RegistrationId id,
                                                  HubHostName current, List<HubHostName> linkedHubs) {
        if (!inFlight.tryAcquire()) {
            return Optional.empty();
        }
        HttpRequest request = HttpRequest.newBuilder(policy.webhookUrl()).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(policy, enrollment, id, current, linkedHubs).toString())).build();
        CompletableFuture<Outcome> outcome = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> answer(response, linkedHubs))
                .exceptionally(e -> new Outcome.Failed("Custom allocation failed: the webhook " + policy.webhookUrl() + " could not be called ("
                        + (e.getCause() != null ? e.getCause() : e) + ")"))
                .whenComplete((o, e) -> inFlight.release());
        return Optional.of(outcome);
    }

    static ObjectNode requestBody(AllocationPolicy.Custom policy, Enrollment enrollment, RegistrationId id, HubHostName current,
                                  List<HubHostName> linkedHubs) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e;
        if (enrollment instanceof Enrollment.Group g) {
            e = body.putObject("enrollmentGroup").put("enrollmentGroupId", g.name());
        } else {
            e = body.putObject("individualEnrollment").put("registrationId", ((Enrollment.Individual) enrollment).registrationId().value());
        }
        e.putObject("attestation").put("type", "x509");
        e.put("provisioningStatus", enrollment.enabled() ? "enabled" : "disabled").put("allocationPolicy", "custom");
        e.putObject("customAllocationDefinition").put("webhookUrl", policy.webhookUrl().toString()).put("apiVersion", "2021-10-01");
        ObjectNode context = body.putObject("deviceRuntimeContext").put("registrationId", id.value());
        if (current != null) {
            context.put("currentIotHubHostName", current.value()).put("currentDeviceId", id.value());
        }
        var hubs = body.putArray("linkedHubs");
        linkedHubs.forEach(h -> hubs.add(h.value()));
        return body;
    }

    private static Outcome answer(HttpResponse<java.io.InputStream> response, List<HubHostName> linkedHubs) {
        try (var in = response.body()) {
            if (response.statusCode() != 200) {
                return new Outcome.Failed("Custom allocation failed with status code: " + response.statusCode());
            }
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                return new Outcome.Failed("Custom allocation failed: the webhook's answer is over " + MAX_RESPONSE_BYTES + " bytes");
            }
            JsonNode body = JSON.readTree(bytes);
            JsonNode hub = body == null ? null : body.get("iotHubHostName");
            if (hub == null || !hub.isTextual()) {
                return new Outcome.Failed("Custom allocation failed: the webhook's answer has no iotHubHostName");
            }
            HubHostName chosen = HubHostName.of(hub.asText());
            if (!linkedHubs.contains(chosen)) {
                return new Outcome.Failed("Custom allocation failed: the webhook chose '" + chosen.value() + "', which is not a linked hub ("
                        + linkedHubs.stream().map(HubHostName::value).toList() + ")");
            }
            JsonNode desired = body.path("initialTwin").path("properties").path("desired");
            return new Outcome.Assigned(chosen, desired instanceof ObjectNode o ? o : JSON.createObjectNode());
        } catch (IOException | ProtocolException e) {
            return new Outcome.Failed("Custom allocation failed: the webhook's answer is not an AllocationResponse (" + e.getMessage() + ")");
        }
    }
}

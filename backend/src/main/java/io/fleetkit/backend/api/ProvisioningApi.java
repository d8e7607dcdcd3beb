package io.fleetkit.backend.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.dps.AllocationPolicy;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.dps.RegistrationState;
import io.fleetkit.protocol.pki.Certificates;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** DPS for operators: enrollments (enable, disable), the recent registrations, the throttle profile. */
final class ProvisioningApi {
    private static final Set<String> THROTTLE_FIELDS = Set.of("profile");
    private static final Set<String> ENROLLMENT_FIELDS = Set.of("enabled");

    private final DpsService dps;

    ProvisioningApi(DpsService dps) {
        this.dps = dps;
    }

    void mount(Router router) {
        router.get("/api/v1/provisioning").handler(this::overview);
        router.put("/api/v1/provisioning/throttle").handler(this::throttle);
        router.patch("/api/v1/provisioning/enrollments/:name").handler(this::enrollment);
    }

    private void overview(RoutingContext ctx) {
        Requests.operator(ctx);
        Responses.send(ctx, 200, json());
    }

    private void throttle(RoutingContext ctx) {
        Requests.operator(ctx);
        JsonNode body = Requests.object(Requests.json(ctx), THROTTLE_FIELDS);
        String name = Requests.stringField(body, "profile");
        if (name == null) {
            throw ApiProblem.badRequest("/profile", "field 'profile' is required: off, f1, s1, s2, s3 (optionally with units, e.g. s1x4)");
        }
        try {
            dps.throttles().set(ThrottleProfile.parse(name));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("/profile", e.getMessage());
        }
        Responses.send(ctx, 200, json());
    }

    private void enrollment(RoutingContext ctx) {
        Requests.operator(ctx);
        String name = ctx.pathParam("name");
        JsonNode body = Requests.object(Requests.json(ctx), ENROLLMENT_FIELDS);
        if (!body.has("enabled")) {
            throw ApiProblem.badRequest("/enabled", "field 'enabled' is required (true or false)");
        }
        boolean enabled = Requests.booleanField(body, "enabled", true);
        dps.enrollments().setEnabled(name, enabled); // an unknown name is a NOT_FOUND, which Problems answers as 404
        Responses.send(ctx, 200, json());
    }

    private ObjectNode json() {
        ObjectNode n = Responses.JSON.createObjectNode().put("idScope", dps.idScope().value())
                .put("throttleProfile", dps.throttles().profile().name());
        ArrayNode enrollments = n.putArray("enrollments");
        for (Enrollment e : dps.enrollments().all()) {
            ObjectNode o = enrollments.addObject().put("name", e.name()).put("enabled", e.enabled()).put("allocationPolicy", e.allocation().name());
            if (e.allocation() instanceof AllocationPolicy.Static st) {
                o.putArray("iotHubs").add(st.hub().value());
            } else if (e.allocation() instanceof AllocationPolicy.Custom c) {
                o.putObject("customAllocationDefinition").put("webhookUrl", c.webhookUrl().toString());
            }
            if (e instanceof Enrollment.Group g) {
                o.put("kind", "group").put("ca", Certificates.commonName(g.ca()));
            } else {
                o.put("kind", "individual");
            }
        }
        ArrayNode recent = n.putArray("recentRegistrations");
        for (RegistrationState r : dps.recentRegistrations()) {
            recent.addObject().put("registrationId", r.registrationId().value())
                    .put("status", r.status().name().toLowerCase())
                    .put("substatus", r.substatus().map(s -> s.wireName()).orElse(null))
                    .put("assignedHub", r.assignedHub().orElse(null))
                    .put("time", r.lastUpdatedDateTimeUtc().map(Object::toString).orElse(null));
        }
        var t = dps.throttles().counters();
        n.put("throttled", t.dpsThrottled());
        return n;
    }
}

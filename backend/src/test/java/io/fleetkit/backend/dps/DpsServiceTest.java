package io.fleetkit.backend.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.InMemoryDeviceRegistry;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DpsServiceTest {
    static final CertificateIssuer ISSUER = new CertificateIssuer();
    static final Credential ROOT = ISSUER.createRoot("root");
    static final Credential INTERMEDIATE = ISSUER.createIntermediate(ROOT, "intermediate");
    static final ObjectMapper JSON = new ObjectMapper();

    Enrollments enrollments;
    InMemoryDeviceRegistry registry;
    DpsService dps;

    @BeforeEach
    void setUp() {
        enrollments = new Enrollments();
        enrollments.add(new Enrollment.Group("factory", INTERMEDIATE.certificate(), true));
        registry = new InMemoryDeviceRegistry();
        dps = new DpsService(IdScope.DEFAULT, new HubAllocation(List.of(HubHostName.of("127.0.0.1"))), enrollments, registry,
                Clock.fixed(Instant.now(), ZoneOffset.UTC), 3);
    }

    static DeviceIdentity device(String id) {
        return ISSUER.issueDevice(INTERMEDIATE, RegistrationId.of(id), KeyAlgorithm.EC_P256);
    }

    static byte[] body(String id) {
        return ("{\"registrationId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode json(DpsReply r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void registerThenPollAssignsAndCreatesTheDevice() throws IOException {
        DeviceIdentity d = device("dev-001");
        DpsReply accepted = dps.register(d.registrationId(), d.credential().chain(), body("dev-001"));
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.retryAfterSeconds()).hasValue(3);
        assertThat(json(accepted).get("status").asText()).isEqualTo("assigning");
        OperationId op = OperationId.of(json(accepted).get("operationId").asText());

        DpsReply assigned = dps.poll(d.registrationId(), op);
        assertThat(assigned.status()).isEqualTo(200);
        JsonNode state = json(assigned).get("registrationState");
        assertThat(state.get("assignedHub").asText()).isEqualTo("127.0.0.1");
        assertThat(state.get("deviceId").asText()).isEqualTo("dev-001");
        assertThat(state.get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(registry.find(DeviceId.of("dev-001"))).hasValueSatisfying(dev ->
                assertThat(dev.authentication()).isEqualTo(Authentication.X509_CA_SIGNED));

        DpsReply again = dps.register(d.registrationId(), d.credential().chain(), body("dev-001"));
        JsonNode second = json(dps.poll(d.registrationId(), OperationId.of(json(again).get("operationId").asText()))).get("registrationState");
        assertThat(second.get("substatus").asText()).isEqualTo("reprovisionedToInitialAssignment");
        assertThat(second.get("assignedHub").asText()).isEqualTo("127.0.0.1");
        assertThat(second.get("etag").asText()).isNotEqualTo(state.get("etag").asText());
    }

    @Test
    void payloadAsAJsonStringIsAccepted() {
        DeviceIdentity d = device("dev-002");
        byte[] b = "{\"registrationId\":\"dev-002\",\"payload\":\"{\\\"modelId\\\":\\\"thermostat\\\"}\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(dps.register(d.registrationId(), d.credential().chain(), b).status()).isEqualTo(202);
    }

    @Test
    void refusalsCarryStatusAndErrorCode() throws IOException {
        DeviceIdentity d = device("dev-003");
        DpsReply bad = dps.register(d.registrationId(), d.credential().chain(), "{\"registrationId\":".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(json(bad).get("errorCode").asInt()).isEqualTo(400004);
        assertThat(json(bad).get("message").asText()).startsWith("invalid JSON document at line 1");

        DpsReply otherId = dps.register(d.registrationId(), d.credential().chain(), body("dev-999"));
        assertThat(otherId.status()).isEqualTo(400);

        DeviceIdentity impostor = device("dev-004");
        DpsReply cn = dps.register(RegistrationId.of("dev-003"), impostor.credential().chain(), body("dev-003"));
        assertThat(cn.status()).isEqualTo(401);
        assertThat(json(cn).get("errorCode").asInt()).isEqualTo(401003);
        assertThat(json(cn).get("message").asText()).contains("CN 'dev-004' does not match the registration id 'dev-003'");

        Credential otherRoot = ISSUER.createRoot("stranger root");
        DeviceIdentity stranger = ISSUER.issueDevice(otherRoot, RegistrationId.of("dev-005"), KeyAlgorithm.EC_P256);
        DpsReply unknown = dps.register(stranger.registrationId(), stranger.credential().chain(), body("dev-005"));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(json(unknown).get("errorCode").asInt()).isEqualTo(401002);
        assertThat(json(unknown).get("message").asText()).contains("matches no enrollment");

        enrollments.setEnabled("factory", false);
        DpsReply disabled = dps.register(d.registrationId(), d.credential().chain(), body("dev-003"));
        assertThat(disabled.status()).isEqualTo(403);
        assertThat(json(disabled).get("message").asText()).contains("enrollment group 'factory' is disabled");

        DpsReply noOp = dps.poll(d.registrationId(), OperationId.of("4.nope"));
        assertThat(noOp.status()).isEqualTo(404);
        assertThat(json(noOp).get("errorCode").asInt()).isEqualTo(404202);
        assertThat(registry.count()).isZero();
    }

    @Test
    void individualEnrollment() {
        Credential selfRoot = ISSUER.createRoot("self");
        DeviceIdentity d = ISSUER.issueDevice(selfRoot, RegistrationId.of("dev-ind"), KeyAlgorithm.EC_P256);
        X509Certificate leaf = d.credential().certificate();
        assertThat(dps.register(d.registrationId(), List.of(leaf), body("dev-ind")).status()).isEqualTo(401);
        enrollments.add(Enrollment.Individual.of(leaf));
        assertThat(dps.register(d.registrationId(), List.of(leaf), body("dev-ind")).status()).isEqualTo(202);
        assertThat(registry.find(DeviceId.of("dev-ind")).orElseThrow().authentication()).isEqualTo(Authentication.X509_SELF_SIGNED);
    }

    @Test
    void allocationIsStableAndSpreads() {
        HubAllocation a = new HubAllocation(List.of(HubHostName.of("hub-a.example"), HubHostName.of("hub-b.example")));
        long onA = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> a.hubFor(RegistrationId.of("dev-" + i)).value().equals("hub-a.example")).count();
        assertThat(onA).isBetween(400L, 600L);
        assertThat(a.hubFor(RegistrationId.of("dev-7"))).isEqualTo(a.hubFor(RegistrationId.of("dev-7")));
    }
}

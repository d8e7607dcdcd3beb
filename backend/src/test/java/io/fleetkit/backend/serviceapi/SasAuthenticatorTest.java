package io.fleetkit.backend.serviceapi;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SasAuthenticatorTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    final SharedAccessPolicies policies = SharedAccessPolicies.defaults();
    final SasAuthenticator sas = new SasAuthenticator(policies, List.of("Hub.Example"), Clock.fixed(NOW, ZoneOffset.UTC));
    final SharedAccessPolicy owner = policies.find("iothubowner").orElseThrow();
    final long inAnHour = NOW.plusSeconds(3600).getEpochSecond();

    @Test
    void aTokenOfAPolicyWithThePermissionIsAccepted() {
        String token = SasAuthenticator.token(owner, "hub.example", inAnHour);
        assertThat(sas.authenticate(token, "/devices/d1", Permission.REGISTRY_WRITE)).isEqualTo(owner);
        assertThat(sas.authenticate(token, "/twins/d1", Permission.SERVICE_CONNECT)).isEqualTo(owner);
        assertThat(sas.authenticate(token, "/devices/d1", Permission.REGISTRY_READ)).as("RegistryWrite implies RegistryRead").isEqualTo(owner);
    }

    @Test
    void theSecondaryKeySignsToo() {
        SharedAccessPolicy secondary = new SharedAccessPolicy("iothubowner", owner.secondaryKey(), owner.primaryKey(), owner.permissions());
        assertThat(sas.authenticate(SasAuthenticator.token(secondary, "hub.example", inAnHour), "/devices/d1", Permission.REGISTRY_READ))
                .isEqualTo(owner);
    }

    @Test
    void eachRefusalSaysWhatWasWrong() {
        SharedAccessPolicy forged = new SharedAccessPolicy("iothubowner", SharedAccessPolicies.newKey(), SharedAccessPolicies.newKey(),
                EnumSet.of(Permission.REGISTRY_WRITE));
        refused(SasAuthenticator.token(forged, "hub.example", inAnHour), Permission.REGISTRY_READ, "does not match policy 'iothubowner'");
        refused(SasAuthenticator.token(owner, "hub.example", NOW.getEpochSecond() - 5), Permission.REGISTRY_READ, "expired 5 s ago");
        refused(SasAuthenticator.token(owner, "other.example", inAnHour), Permission.REGISTRY_READ, "not this hub");
        refused(SasAuthenticator.token(owner, "hub.example/twins", inAnHour), Permission.REGISTRY_READ, "does not cover /devices/d1");
        refused(SasAuthenticator.token(policies.find("registryRead").orElseThrow(), "hub.example", inAnHour), Permission.REGISTRY_WRITE,
                "does not grant RegistryWrite");
        refused(SasAuthenticator.token(policies.find("service").orElseThrow(), "hub.example", inAnHour), Permission.REGISTRY_READ,
                "does not grant RegistryRead");
        SharedAccessPolicy unknown = new SharedAccessPolicy("nobody", owner.primaryKey(), owner.secondaryKey(), owner.permissions());
        refused(SasAuthenticator.token(unknown, "hub.example", inAnHour), Permission.REGISTRY_READ, "no shared access policy 'nobody'");
        refused(null, Permission.REGISTRY_READ, "no Authorization header");
        refused("Bearer eyJ…", Permission.REGISTRY_READ, "not a shared access signature");
        refused("SharedAccessSignature sr=hub.example&se=1", Permission.REGISTRY_READ, "no 'sig'");
        refused("SharedAccessSignature sr=hub.example&sig=x&se=soon&skn=iothubowner", Permission.REGISTRY_READ, "se: expected the expiry");
        refused("SharedAccessSignature sr=hub.example&sig=x&se=1", Permission.REGISTRY_READ, "names no shared access policy");
        refused("SharedAccessSignature garbage", Permission.REGISTRY_READ, "malformed shared access signature");
    }

    @Test
    void aTokenForAPathCoversWhatIsUnderIt() {
        String token = SasAuthenticator.token(owner, "hub.example/devices", inAnHour);
        assertThat(sas.authenticate(token, "/devices/d1", Permission.REGISTRY_READ)).isEqualTo(owner);
        refused(token, "/devicesX", Permission.REGISTRY_READ, "does not cover");
    }

    private void refused(String token, Permission needed, String reason) {
        refused(token, "/devices/d1", needed, reason);
    }

    private void refused(String token, String path, Permission needed, String reason) {
        assertThatThrownBy(() -> sas.authenticate(token, path, needed)).isInstanceOfSatisfying(IotHubError.class, e -> {
            assertThat(e.status).isEqualTo(401);
            assertThat(e.code).isEqualTo(401002);
            assertThat(e.getMessage()).contains(reason);
        });
    }
}

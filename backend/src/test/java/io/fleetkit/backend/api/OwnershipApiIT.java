package io.fleetkit.backend.api;

import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.testing.ApiClient.Response;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ClaimApi}'s release and erase, and its refusals: what a user may let go of, and what is not theirs. */
class OwnershipApiIT extends ApiTestBase {

    /** Devices in the store, owned by {@code owner} (null: nobody). */
    static DeviceStateStore devices(String owner, String... ids) {
        DeviceStateStore store = new DeviceStateStore(backend.database());
        for (String id : ids) {
            store.recordBoot(DeviceId.of(id), "thermostat", "1.0.0", Instant.parse("2026-11-01T00:00:00Z"), "powerOn");
            if (owner != null) {
                store.setOwner(DeviceId.of(id), owner);
            }
        }
        return store;
    }

    @Test
    void aUserReleasesTheirDeviceOnlyAndErasingReleasesTheRest() {
        DeviceStateStore store = devices("alice", "own-1", "own-2", "own-3");
        store.setOwner(DeviceId.of("own-3"), "bob");

        Response notHers = api.delete("/api/v1/devices/own-3/owner", alice);
        assertThat(notHers.status()).as("bob's device, to alice: as unknown").isEqualTo(404);
        assertThat(store.get(DeviceId.of("own-3")).orElseThrow().ownerId()).contains("bob");

        assertThat(api.delete("/api/v1/devices/own-1/owner", alice).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/devices/own-1", alice).status()).as("no longer hers").isEqualTo(404);
        assertThat(api.get("/api/v1/devices/own-1", operator).json().get("ownerId").isNull()).isTrue();

        Response erased = api.delete("/api/v1/me", alice);
        assertThat(erased.status()).isEqualTo(200);
        assertThat(erased.json().get("devicesReleased").asInt()).isEqualTo(1);
        assertThat(erased.json().get("claimsErased").asInt()).isZero();
        assertThat(store.get(DeviceId.of("own-2")).orElseThrow().ownerId()).isEmpty();
        assertThat(api.delete("/api/v1/me", alice).json().get("devicesReleased").asInt()).as("nothing left").isZero();
        assertThat(store.get(DeviceId.of("own-3")).orElseThrow().ownerId()).as("bob's untouched").contains("bob");
    }

    @Test
    void aClaimNeedsAnOnlineDeviceAndIsSeenByItsOwnerOnly() {
        devices(null, "offline-1");
        Response offline = api.post("/api/v1/devices/offline-1/claims", alice, "{\"windowSeconds\":30}");
        assertThat(offline.status()).isEqualTo(404);
        assertThat(offline.text()).contains("no online device 'offline-1' to claim: the device must be connected");
        Response unknown = api.get("/api/v1/claims/c-123", alice);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text()).contains("no claim 'c-123' of yours");
    }
}

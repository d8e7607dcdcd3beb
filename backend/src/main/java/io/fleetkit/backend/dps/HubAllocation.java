package io.fleetkit.backend.dps;

import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.RegistrationId;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Spreads devices over the linked hubs by a hash of the registration id: stable across
 * restarts and machines (SHA-256, not {@code hashCode}), and even.
 */
public final class HubAllocation {
    private final List<HubHostName> hubs;

    public HubAllocation(List<HubHostName> hubs) {
        if (hubs.isEmpty()) {
            throw new IllegalArgumentException("hubs: DPS needs at least one linked hub");
        }
        this.hubs = List.copyOf(hubs);
    }

    public List<HubHostName> hubs() {
        return hubs;
    }

    public HubHostName hubFor(RegistrationId id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.value().getBytes(StandardCharsets.UTF_8));
            int n = ((h[0] & 0xFF) << 24) | ((h[1] & 0xFF) << 16) | ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
            return hubs.get(Math.floorMod(n, hubs.size()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

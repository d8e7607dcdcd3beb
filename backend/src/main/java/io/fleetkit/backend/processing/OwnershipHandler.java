package io.fleetkit.backend.processing;

import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.protocol.message.Presence;

/** The built-in presence processor: a device's signed presence decides its pending ownership claim. */
public final class OwnershipHandler implements DeviceMessageHandler {
    private final ClaimService claims;

    public OwnershipHandler(ClaimService claims) {
        this.claims = claims;
    }

    @Override
    public void onPresence(MessageContext context, Presence message) {
        claims.onPresence(context.deviceId(), message, context.enqueuedTime());
    }
}

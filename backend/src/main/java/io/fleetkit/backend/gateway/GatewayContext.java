package io.fleetkit.backend.gateway;

import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/** What the per-connection handlers share: the services, the executors, the limits. Immutable. */
record GatewayContext(ConnectAuthorizer authorizer, HubService hub, DpsService dps, DeviceToCloudSink sink,
                      Executor authExecutor, Clock clock, int maxPayloadBytes, Throttles throttles, boolean dpsOnly) {

    /** The same services for a listener that serves DPS only. */
    GatewayContext forDpsOnly() {
        return new GatewayContext(authorizer, hub, dps, sink, authExecutor, clock, maxPayloadBytes, throttles, true);
    }

    ChannelHandler hubSession(DeviceId deviceId, java.security.cert.X509Certificate certificate, Channel channel) {
        return new HubSessionHandler(new HubSession(deviceId, certificate, channel), hub, sink, clock, maxPayloadBytes, throttles);
    }

    ChannelHandler dpsSession(RegistrationId registrationId, List<X509Certificate> chain) {
        return new DpsSessionHandler(registrationId, chain, dps, authExecutor);
    }
}

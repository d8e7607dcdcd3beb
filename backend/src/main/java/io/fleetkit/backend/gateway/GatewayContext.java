package io.fleetkit.backend.gateway;

import io.fleetkit.backend.admission.ConnectionAdmission;
import io.fleetkit.backend.admission.RefusalLog;
import io.fleetkit.backend.dps.DpsService;
import io.fleetkit.backend.hub.DeviceToCloudSink;
import io.fleetkit.backend.hub.IngestBudget;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What the per-connection handlers share: the services, the executors, the limits and the counters
 * behind them (pending connections, refusals, the ingest budget), one of each per gateway. Immutable.
 */
record GatewayContext(ConnectAuthorizer authorizer, MqttDeviceCommands hub, DpsService dps, DeviceToCloudSink sink,
                      Executor authExecutor, Clock clock, int maxPayloadBytes, Throttles throttles, GatewayLimits limits,
                      ConnectionAdmission admission, RefusalLog refusals, IngestBudget budget, StageTimings timings,
                      StageTimings.Series appended, StageTimings.Series pubackWritten, boolean dpsOnly) {

    GatewayContext(ConnectAuthorizer authorizer, MqttDeviceCommands hub, DpsService dps, DeviceToCloudSink sink, Executor authExecutor,
                   Clock clock, int maxPayloadBytes, Throttles throttles, GatewayLimits limits, ConnectionAdmission admission,
                   RefusalLog refusals, IngestBudget budget, StageTimings timings) {
        this(authorizer, hub, dps, sink, authExecutor, clock, maxPayloadBytes, throttles, limits, admission, refusals, budget, timings,
                timings.series(StageTimings.Stage.APPENDED, StageTimings.HUB), timings.series(StageTimings.Stage.PUBACK, StageTimings.HUB),
                false);
    }

    /** The same services, limits and counters for a listener that serves DPS only. */
    GatewayContext forDpsOnly() {
        return new GatewayContext(authorizer, hub, dps, sink, authExecutor, clock, maxPayloadBytes, throttles, limits, admission, refusals,
                budget, timings, appended, pubackWritten, true);
    }

    ChannelHandler preConnectGuard() {
        return new PreConnectGuard(limits, admission, refusals);
    }

    ChannelHandler hubSession(ConnectDecision.Hub decision, Channel channel, boolean cleanSession, String connectionId) {
        HubSession session = new HubSession(decision.deviceId(), decision.certificate(), channel, cleanSession, decision.modelId(),
                connectionId);
        return new HubSessionHandler(session, hub, sink, clock, maxPayloadBytes, throttles,
                limits.maxInflightPerConnection(), budget, appended, pubackWritten);
    }

    ChannelHandler dpsSession(RegistrationId registrationId, List<X509Certificate> chain) {
        return new DpsSessionHandler(registrationId, chain, dps, authExecutor, refusals);
    }
}

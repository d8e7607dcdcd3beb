package io.fleetkit.firmware.swarm;

import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.model.DeviceModel;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * How a swarm runs.
 *
 * @param dpsHost          the DPS endpoint (the embedded hub's address, or Azure's global endpoint)
 * @param port             DPS and hub port (8883)
 * @param rampPerSecond    devices booted per second
 * @param rateMultiplier   telemetry this many times faster than the model's interval
 * @param eventLoops       Netty event loops for all devices
 * @param sourceAddresses  local addresses to connect from, spread round-robin (127.0.0.2, 127.0.0.3 … past ~28,000 connections); empty = the system's choice
 * @param maxFailures      consecutive failures after which a device gives up (0 = never)
 * @param maxStarting      at most this many devices provisioning or connecting at once (the ramp waits):
 *                         the load generator must not overrun the handshakes it measures; 0 = no limit
 */
public record SwarmConfig(DeviceModel model, String dpsHost, int port, IdScope idScope, double rampPerSecond,
                          double rateMultiplier, int eventLoops, List<InetAddress> sourceAddresses, MethodOverrides overrides,
                          int maxFailures, long seed, int maxStarting) {
    public SwarmConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dpsHost, "dpsHost");
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(overrides, "overrides");
        sourceAddresses = List.copyOf(sourceAddresses);
        if (!(rampPerSecond > 0)) {
            throw new IllegalArgumentException("rampPerSecond: must be positive, was " + rampPerSecond);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops: at least 1");
        }
    }
}

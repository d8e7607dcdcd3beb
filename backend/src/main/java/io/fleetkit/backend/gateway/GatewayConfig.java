package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.pki.Credential;

import java.util.List;
import java.util.Objects;

/**
 * How the gateway listens.
 *
 * @param bindAddress      e.g. 127.0.0.1
 * @param port             8883 is what the Azure SDKs dial; 0 picks a free port (tests)
 * @param hubHostNames     the names devices use for this hub; DPS assigns among them
 * @param idScope          the DPS id scope; registrations under another scope are refused
 * @param serverCredential the TLS server key and chain
 * @param maxPayloadBytes  the largest PUBLISH payload (IoT Hub: 256 KB)
 * @param dpsPort          a second port that serves DPS only, or -1 for none (the main port serves both dialects)
 * @param limits           deadlines, caps and in-flight bounds ({@link GatewayLimits#defaults()})
 * @param sharedPort       whether other processes (the hub nodes of a cluster) listen on the same address and port: the
 *                         listener binds with {@code SO_REUSEPORT} on Linux's epoll transport and the kernel spreads new
 *                         connections over them. Off for one process, where a second process on the port is a mistake
 */
public record GatewayConfig(String bindAddress, int port, List<HubHostName> hubHostNames, IdScope idScope,
                            Credential serverCredential, int maxPayloadBytes, int dpsPort, GatewayLimits limits, boolean sharedPort) {
    public static final int DEFAULT_PORT = 8883;

    public GatewayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        hubHostNames = List.copyOf(hubHostNames);
        if (hubHostNames.isEmpty()) {
            throw new IllegalArgumentException("hubHostNames: at least one");
        }
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(serverCredential, "serverCredential");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 0–65535, was " + port);
        }
        if (dpsPort < -1 || dpsPort > 65535) {
            throw new IllegalArgumentException("dpsPort: must be 0–65535, or -1 for none, was " + dpsPort);
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes: must be positive");
        }
        Objects.requireNonNull(limits, "limits");
    }

    /** A listener of one process (no shared port). */
    public GatewayConfig(String bindAddress, int port, List<HubHostName> hubHostNames, IdScope idScope, Credential serverCredential,
                         int maxPayloadBytes, int dpsPort, GatewayLimits limits) {
        this(bindAddress, port, hubHostNames, idScope, serverCredential, maxPayloadBytes, dpsPort, limits, false);
    }

    /** Loopback, the given port, hub name 127.0.0.1, the default id scope, IoT Hub's 256 KB limit. */
    public static GatewayConfig local(Credential server, int port) {
        return new GatewayConfig("127.0.0.1", port, List.of(HubHostName.of("127.0.0.1")), IdScope.DEFAULT, server,
                Messages.DEVICE_TO_CLOUD_MAX_BYTES, -1, GatewayLimits.defaults());
    }
}

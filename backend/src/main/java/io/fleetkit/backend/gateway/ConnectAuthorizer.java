package io.fleetkit.backend.gateway;

import io.fleetkit.backend.dps.Attestation;
import io.fleetkit.backend.dps.Enrollments;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.MqttUsername;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;

/**
 * Decides a CONNECT: which dialect (the username tells), and for the hub whether the device may
 * connect — the device exists and is enabled, and its certificate is trusted by an enrollment with the username's device id
 * as its CN, or (a device added by thumbprint) is the one registered. DPS connections are accepted when the username parses and the
 * scope is this DPS's; their chain is attested with each register request, as DPS does.
 * Validates signatures, so it runs off the event loop. Thread-safe.
 */
final class ConnectAuthorizer {
    private final List<HubHostName> hubHostNames;
    private final IdScope idScope;
    private final Enrollments enrollments;
    private final DeviceRegistry registry;
    private final Clock clock;

    ConnectAuthorizer(List<HubHostName> hubHostNames, IdScope idScope, Enrollments enrollments, DeviceRegistry registry, Clock clock) {
        this.hubHostNames = List.copyOf(hubHostNames);
        this.idScope = idScope;
        this.enrollments = enrollments;
        this.registry = registry;
        this.clock = clock;
    }

    ConnectDecision decide(String username, String clientId, List<X509Certificate> chain) {
        MqttUsername parsed;
        try {
            parsed = MqttUsername.parse(username);
        } catch (ProtocolException e) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, e.getMessage());
        }
        if (parsed instanceof DpsUsername dps) {
            if (!dps.idScope().equals(idScope)) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                        "id scope '" + dps.idScope() + "' is not this DPS's ('" + idScope + "')");
            }
            if (!dps.registrationId().value().equals(clientId)) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "client id '" + clientId + "' is not the registration id '" + dps.registrationId() + "'");
            }
            return new ConnectDecision.Dps(dps.registrationId(), chain);
        }
        HubUsername hub = (HubUsername) parsed;
        if (!hubHostNames.contains(hub.hubHostName())) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                    "hub '" + hub.hubHostName() + "' is not this hub (" + hubHostNames + ")");
        }
        if (hub.moduleId().isPresent()) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED, "module identities are not supported");
        }
        if (!hub.deviceId().value().equals(clientId)) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client id '" + clientId + "' is not the device id '" + hub.deviceId() + "'");
        }
        Optional<Device> device = registry.find(hub.deviceId());
        if (device.isEmpty()) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "device '" + hub.deviceId() + "' is not registered; it registers through DPS first");
        }
        if (device.get().thumbprints() != null) {
            // added by thumbprint through the service API (IoT Hub's self-signed X.509): the thumbprint is the identity, and the
            // certificate must be within its validity; no chain, no CN rule
            // (https://learn.microsoft.com/azure/iot-hub/reference-x509-certificates)
            if (chain.isEmpty() || !device.get().thumbprints().matches(chain.get(0))) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "the certificate's thumbprint is not one registered for device '" + hub.deviceId() + "'");
            }
            try {
                chain.get(0).checkValidity(java.util.Date.from(clock.instant()));
            } catch (java.security.cert.CertificateException e) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED, "the certificate of device '" + hub.deviceId() + "' is not valid now: "
                        + e.getMessage());
            }
        } else {
            Attestation a = enrollments.attest(chain, clock.instant());
            if (a instanceof Attestation.Refused r) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED, r.detail());
            }
            String cn = ((Attestation.Accepted) a).commonName();
            if (!cn.equals(hub.deviceId().value())) {
                return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "certificate CN '" + cn + "' is not the device id '" + hub.deviceId() + "'");
            }
        }
        if (!device.get().isEnabled()) {
            return new ConnectDecision.Refused(CONNECTION_REFUSED_NOT_AUTHORIZED, "device '" + hub.deviceId() + "' is disabled");
        }
        return new ConnectDecision.Hub(hub.deviceId(), chain.get(0), hub.modelId().orElse(null));
    }
}

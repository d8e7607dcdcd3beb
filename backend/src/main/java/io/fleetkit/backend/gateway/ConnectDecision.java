package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.RegistrationId;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** What {@link ConnectAuthorizer} decided about a CONNECT. */
sealed interface ConnectDecision {

    /**
     * A device connects to the hub, authenticated by {@code certificate} (the leaf of its TLS chain); {@code modelId} is the
     * IoT Plug and Play model id its username announced ({@code model-id=dtmi:…}), or null.
     */
    record Hub(DeviceId deviceId, X509Certificate certificate, String modelId) implements ConnectDecision {
    }

    /** A device connects to DPS to register; its chain is attested per request. */
    record Dps(RegistrationId registrationId, List<X509Certificate> chain) implements ConnectDecision {
    }

    /** Refused with this CONNACK code; {@code reason} goes to the log line. */
    record Refused(MqttConnectReturnCode code, String reason) implements ConnectDecision {
        public Refused {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }
}

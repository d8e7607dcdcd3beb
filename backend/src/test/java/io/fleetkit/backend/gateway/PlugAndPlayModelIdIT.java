package io.fleetkit.backend.gateway;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.backend.Backend;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.testing.ApiClient;
import io.fleetkit.testing.Eventually;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The IoT Plug and Play model id a device announces in its CONNECT username is recorded and shown by the REST API. */
@Timeout(60)
@ThrowAwayPki.Use
class PlugAndPlayModelIdIT {
    static final String MODEL = "dtmi:com:example:Thermostat;1";

    @TempDir
    Path tmp;

    @Test
    void theModelIdOfTheUsernameIsTheDevicesModelId(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        try (Backend backend = Backend.builder(pki, tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0).start()) {
            DeviceIdentity d = issuer.issueDevice(pki.intermediate(), RegistrationId.of("pnp-001"), KeyAlgorithm.EC_P256);
            backend.hub().registry().createIfAbsent(d.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
            ApiClient api = new ApiClient(backend.httpPort());
            String operator = backend.devIssuer().mint("ops", true, Duration.ofMinutes(5));
            // the username the Azure IoT SDKs send for a Plug and Play device
            try (PahoDevice device = new PahoDevice(backend.hub().port(), "pnp-001")) {
                device.connect("127.0.0.1/pnp-001/?api-version=2021-04-12&DeviceClientType=azure-iot-device-java&model-id="
                        + MODEL.replace(":", "%3A").replace(";", "%3B"), TlsContexts.forDevice(d, pki.trustAnchors()));
                Eventually.until("the model id recorded", () -> {
                    ApiClient.Response r = api.get("/api/v1/devices/pnp-001", operator);
                    return r.status() == 200 && MODEL.equals(r.json().path("modelId").asText(null));
                });
            }
        }
    }
}

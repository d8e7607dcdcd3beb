package io.fleetkit.firmware.sdk;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.testing.Eventually;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.InMemoryDeviceToCloudSink;
import io.fleetkit.firmware.Firmware;
import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.LifecycleState;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.paho.PahoDevice;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import io.fleetkit.protocol.pki.TlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official provisioning client registers the device with the local DPS (port 8883, as the
 * SDK requires; Failsafe runs test classes one at a time); the firmware then boots with the
 * assignment in flash and goes straight to the hub.
 */
@Timeout(90)
@ThrowAwayPki.Use
class AzureSdkProvisioningIT {
    @TempDir
    Path tmp;

    @Test
    void theOfficialClientProvisionsAndTheFirmwareConnectsWithTheAssignment(ThrowAwayPki throwAway) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity device = issuer.issueDevice(pki.intermediate(), RegistrationId.of("sdk-firmware"), KeyAlgorithm.EC_P256);
        DeviceModel model = DeviceModels.builtIn("smart-plug");
        SSLContext tls = TlsContexts.forDevice(device, pki.trustAnchors());
        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(8883).start()) {
            NonVolatileState flash = AzureSdkProvisioning.register("127.0.0.1", IdScope.DEFAULT, device, tls, NonVolatileState.factory(30));
            assertThat(flash.assignedHub()).contains("127.0.0.1");
            assertThat(hub.registry().find(device.deviceId())).isPresent();

            Firmware fw = new Firmware(FirmwareConfig.of(device.registrationId(), "127.0.0.1", IdScope.DEFAULT, model),
                    new SimulatedHardware(model, device.credential().key(), new SplittableRandom(1)), flash, new MethodOverrides(),
                    new SplittableRandom(1));
            try (PahoDevice paho = new PahoDevice(fw, tls, Clock.systemUTC(), hub.port(), s -> { })) {
                paho.boot();
                Eventually.until("online without provisioning (the assignment came from the SDK)", Duration.ofSeconds(30), () -> {
                    assertThat(paho.state()).as("no DPS round trip: the assignment came from the SDK").isNotEqualTo(LifecycleState.PROVISIONING);
                    return paho.state() == LifecycleState.ONLINE;
                });
                ((InMemoryDeviceToCloudSink) hub.sink()).await(m -> m.deviceId().equals(device.deviceId()), Duration.ofSeconds(10));
            }
        }
    }
}

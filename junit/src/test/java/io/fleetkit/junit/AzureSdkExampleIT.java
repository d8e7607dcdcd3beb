package io.fleetkit.junit;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.stream.Stream;
import io.fleetkit.backend.stream.StreamRecord;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example of fleetkit-junit's README, as the backend team would write it in their own suite: the official Azure IoT
 * device SDKs (provisioning client, DeviceClient) against {@code @FleetkitTest}, unchanged. They dial 8883, hence the port.
 */
@Timeout(120)
@FleetkitTest(port = 8883)
class AzureSdkExampleIT {
    @Test
    void aDeviceProvisionsSendsTelemetryAndAnswersADirectMethod(Fleetkit fleetkit) throws Exception {
        DeviceIdentity device = fleetkit.device("thermostat-1");
        SSLContext tls = fleetkit.tls(device);

        // DPS: the factory PKI's intermediate CA is enrolled as a group
        ProvisioningDeviceClient dps = ProvisioningDeviceClient.create(fleetkit.host(), fleetkit.idScope(),
                ProvisioningDeviceClientTransportProtocol.MQTT, new X509(device, tls));
        ProvisioningDeviceClientRegistrationResult registration;
        try {
            registration = dps.registerDeviceSync();
        } finally {
            dps.close();
        }
        assertThat(registration.getProvisioningDeviceClientStatus()).isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(registration.getIothubUri()).isEqualTo(fleetkit.host());

        // the hub: the connection string and TLS of an X.509 device
        DeviceClient client = new DeviceClient(fleetkit.connectionString(device), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(tls).build());
        client.open(true);
        try {
            client.subscribeToMethods((name, payload, context) -> new DirectMethodResponse(200, Map.of("rebooting", true)), null);
            Message telemetry = new Message("{\"temperature\":21.5}");
            telemetry.setProperty("type", "telemetry");
            telemetry.setContentType("application/json");
            client.sendEvent(telemetry);

            // the backend routed it into its telemetry stream, with IoT Hub's properties
            Stream stream = fleetkit.backend().streams().get("telemetry");
            int partition = stream.partitionOf(device.deviceId());
            List<StreamRecord> records = Eventually.value("the message in the telemetry stream", Duration.ofSeconds(10),
                    () -> stream.read(partition, 0, 10).isEmpty() ? null : stream.read(partition, 0, 10));
            assertThat(new String(records.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"temperature\":21.5}");
            assertThat(records.get(0).properties()).containsEntry("type", "telemetry");

            // a direct method, as the backend calls it
            MethodResult answer = fleetkit.devices().invokeMethod(device.deviceId(), MethodName.of("reboot"), "{}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.payloadText()).contains("\"rebooting\":true");
        } finally {
            client.close();
        }
    }

    /** The SDK's X.509 security provider, with the TLS of the device's factory identity. */
    private static final class X509 extends SecurityProviderX509Cert {
        private final SSLContext tls;

        X509(DeviceIdentity d, SSLContext tls) {
            super(d.credential().certificate(), d.credential().key(), List.of(d.credential().chain().get(1)));
            this.tls = tls;
        }

        @Override
        public SSLContext getSSLContext() {
            return tls;
        }
    }
}

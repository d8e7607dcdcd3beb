package io.fleetkit.junit;

import com.azure.core.credential.AzureSasCredential;
import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import com.microsoft.azure.sdk.iot.service.auth.AuthenticationType;
import com.microsoft.azure.sdk.iot.service.exceptions.ErrorCodeDescription;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubConflictException;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubException;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubNotFoundException;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubPreconditionFailedException;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubUnauthorizedException;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodRequestOptions;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodsClient;
import com.microsoft.azure.sdk.iot.service.registry.Device;
import com.microsoft.azure.sdk.iot.service.registry.DeviceConnectionState;
import com.microsoft.azure.sdk.iot.service.registry.DeviceStatus;
import com.microsoft.azure.sdk.iot.service.registry.RegistryClient;
import com.microsoft.azure.sdk.iot.service.twin.Twin;
import com.microsoft.azure.sdk.iot.service.twin.TwinClient;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official Java service SDK ({@code iot-service-client}) against fleetkit's service API, with official Azure device
 * SDK devices on the other side: the registry, twins (desired properties and tags), direct methods, and IoT Hub's answers
 * to a wrong key, an expired token and a policy without the permission. The service SDK dials 443 and the device SDK 8883.
 */
@Timeout(180)
@FleetkitTest(port = 8883, servicePort = 443)
class ServiceSdkIT {
    private static SSLSocketFactory previousTrust;

    /** The service SDK's HTTPS is HttpsURLConnection: it trusts the JVM's default (the README says how outside a test). */
    @BeforeAll
    static void trustTheHub(Fleetkit fleetkit) {
        previousTrust = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(fleetkit.serviceTls().getSocketFactory());
    }

    @AfterAll
    static void restoreTrust() {
        HttpsURLConnection.setDefaultSSLSocketFactory(previousTrust);
    }

    @Test
    void aDeviceAddedByThumbprintConnectsAndIsDroppedAndRefusedOnceDisabled(Fleetkit fleetkit) throws Exception {
        DeviceIdentity own = fleetkit.pki().stranger("sdk-self-signed"); // no enrollment knows it: only the registry does
        String thumbprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(own.credential().certificate().getEncoded()));
        RegistryClient registry = new RegistryClient(fleetkit.serviceConnectionString());
        Device wanted = new Device("sdk-self-signed", AuthenticationType.SELF_SIGNED);
        wanted.setThumbprint(thumbprint, null);
        Device added = registry.addDevice(wanted);
        assertThat(added.getStatus()).isEqualTo(DeviceStatus.Enabled);
        assertThat(added.getPrimaryThumbprint()).isEqualToIgnoringCase(thumbprint);
        assertThat(added.getETag()).isNotBlank();
        assertThatThrownBy(() -> registry.addDevice(wanted)).isInstanceOf(IotHubConflictException.class)
                .hasMessageContaining("DeviceAlreadyExists");

        DeviceClient client = new DeviceClient(fleetkit.connectionString(own), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(fleetkit.tls(own)).build());
        client.open(true);
        try {
            Eventually.until("the registry shows the device connected", Duration.ofSeconds(10),
                    () -> connectionState(registry, "sdk-self-signed") == DeviceConnectionState.Connected);

            added.setStatus(DeviceStatus.Disabled);
            Device disabled = registry.updateDevice(added);
            assertThat(disabled.getStatus()).isEqualTo(DeviceStatus.Disabled);
            assertThat(disabled.getETag()).isNotEqualTo(added.getETag());
            Eventually.until("the disabled device's connection closed", Duration.ofSeconds(10),
                    () -> !fleetkit.devices().isConnected(DeviceId.of("sdk-self-signed")));
        } finally {
            client.close();
        }
        DeviceClient again = new DeviceClient(fleetkit.connectionString(own), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(fleetkit.tls(own)).build());
        assertThatThrownBy(() -> again.open(false)).as("a disabled device is refused at CONNECT").isInstanceOf(IotHubClientException.class);
        again.close();

        registry.removeDevice("sdk-self-signed");
        assertThatThrownBy(() -> registry.getDevice("sdk-self-signed")).isInstanceOf(IotHubNotFoundException.class)
                .hasMessageContaining("DeviceNotFound");
        // (the SDK reads the enabled count from "enableDeviceCount", not the "enabledDeviceCount" IoT Hub sends: not asserted)
        assertThat(registry.getStatistics().getDisabledDeviceCount()).as("the disabled device was removed").isZero();
    }

    @Test
    void aDesiredPatchReachesTheDeviceSdkAndTagsStayWithTheTwin(Fleetkit fleetkit) throws Exception {
        DeviceIdentity device = fleetkit.pki().device("sdk-twin-1"); // issued by the factory CA, not yet in the registry
        new RegistryClient(fleetkit.serviceConnectionString()).addDevice(new Device("sdk-twin-1", AuthenticationType.CERTIFICATE_AUTHORITY));
        DeviceClient client = new DeviceClient(fleetkit.connectionString(device), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(fleetkit.tls(device)).build());
        client.open(true);
        try {
            LinkedBlockingQueue<com.microsoft.azure.sdk.iot.device.twin.Twin> seen = new LinkedBlockingQueue<>();
            client.subscribeToDesiredProperties((twin, context) -> seen.add(twin), null);

            TwinClient twins = new TwinClient(fleetkit.serviceConnectionString("service"));
            Twin before = twins.get("sdk-twin-1");
            Twin patch = new Twin("sdk-twin-1");
            patch.getDesiredProperties().put("setpoint", 21.5);
            patch.getTags().put("site", "plant-7");
            Twin after = twins.patch(patch, before.getETag());
            assertThat(after.getETag()).isNotEqualTo(before.getETag());

            Object setpoint = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (setpoint == null && System.nanoTime() < deadline) {
                com.microsoft.azure.sdk.iot.device.twin.Twin t = seen.poll(1, TimeUnit.SECONDS);
                setpoint = t == null ? null : t.getDesiredProperties().get("setpoint");
            }
            assertThat(setpoint).as("the device SDK's desired-properties callback").isEqualTo(21.5);

            Twin read = twins.get("sdk-twin-1");
            assertThat(read.getTags().get("site")).isEqualTo("plant-7");
            assertThat(read.getDesiredProperties().get("setpoint")).isEqualTo(21.5);
            assertThat(read.getDesiredProperties().getVersion()).isEqualTo(before.getDesiredProperties().getVersion() + 1);
            assertThat(read.getConnectionState()).isEqualToIgnoringCase("Connected"); // the SDK upper-cases what IoT Hub sends

            Twin late = new Twin("sdk-twin-1");
            late.getDesiredProperties().put("setpoint", 19);
            assertThatThrownBy(() -> twins.patch(late, before.getETag())).as("a patch with an etag that changed since")
                    .isInstanceOf(IotHubPreconditionFailedException.class);
            assertThat(twins.get("sdk-twin-1").getDesiredProperties().get("setpoint")).isEqualTo(21.5);
        } finally {
            client.close();
        }
    }

    @Test
    void aDirectMethodIsAnsweredByTheDeviceSdkAndAnOfflineDeviceIs404103(Fleetkit fleetkit) throws Exception {
        DeviceIdentity device = fleetkit.pki().device("sdk-methods-1");
        RegistryClient registry = new RegistryClient(fleetkit.serviceConnectionString());
        registry.addDevice(new Device("sdk-methods-1", AuthenticationType.CERTIFICATE_AUTHORITY));
        registry.addDevice(new Device("sdk-offline-1", AuthenticationType.CERTIFICATE_AUTHORITY));
        DeviceClient client = new DeviceClient(fleetkit.connectionString(device), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(fleetkit.tls(device)).build());
        client.open(true);
        try {
            client.subscribeToMethods((name, payload, context) -> new com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse(200,
                    Map.of("method", name, "rebooting", true)), null);
            DirectMethodsClient methods = new DirectMethodsClient(fleetkit.serviceConnectionString("service"));
            DirectMethodResponse answer = methods.invoke("sdk-methods-1", "reboot", DirectMethodRequestOptions.builder()
                    .payload(Map.of("delaySeconds", 5)).methodResponseTimeoutSeconds(10).methodConnectTimeoutSeconds(0).build());
            assertThat(answer.getStatus()).isEqualTo(200);
            assertThat(answer.getPayloadAsJsonString()).contains("\"rebooting\":true").contains("\"method\":\"reboot\"");

            assertThatThrownBy(() -> methods.invoke("sdk-offline-1", "reboot", DirectMethodRequestOptions.builder()
                    .methodResponseTimeoutSeconds(5).methodConnectTimeoutSeconds(1).build()))
                    .isInstanceOfSatisfying(IotHubNotFoundException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(404103);
                        assertThat(e.getErrorCodeDescription()).isEqualTo(ErrorCodeDescription.DeviceNotOnline);
                    });
        } finally {
            client.close();
        }
    }

    @Test
    void aWrongKeyAnExpiredTokenAndAPolicyWithoutThePermissionAreRefusedAsIotHubRefusesThem(Fleetkit fleetkit) throws Exception {
        byte[] wrong = new byte[32];
        new SecureRandom().nextBytes(wrong);
        RegistryClient wrongKey = new RegistryClient("HostName=127.0.0.1;SharedAccessKeyName=iothubowner;SharedAccessKey="
                + Base64.getEncoder().encodeToString(wrong));
        assertThatThrownBy(() -> wrongKey.getStatistics()).isInstanceOfSatisfying(IotHubUnauthorizedException.class,
                e -> assertThat(e.getErrorCode()).isEqualTo(401));

        String owner = fleetkit.serviceConnectionString();
        String key = owner.substring(owner.indexOf("SharedAccessKey=") + "SharedAccessKey=".length());
        RegistryClient expired = new RegistryClient("127.0.0.1", new AzureSasCredential(token(key, "iothubowner", Instant.now().minusSeconds(60))));
        assertThatThrownBy(expired::getStatistics).isInstanceOf(IotHubUnauthorizedException.class).hasMessageContaining("expired");
        RegistryClient valid = new RegistryClient("127.0.0.1", new AzureSasCredential(token(key, "iothubowner", Instant.now().plusSeconds(600))));
        assertThat(valid.getStatistics().getTotalDeviceCount()).isGreaterThanOrEqualTo(0);

        RegistryClient readOnly = new RegistryClient(fleetkit.serviceConnectionString("registryRead"));
        assertThat(readOnly.getStatistics().getTotalDeviceCount()).isGreaterThanOrEqualTo(0);
        assertThatThrownBy(() -> readOnly.addDevice(new Device("sdk-not-added", AuthenticationType.CERTIFICATE_AUTHORITY)))
                .isInstanceOf(IotHubUnauthorizedException.class).hasMessageContaining("RegistryWrite");
        RegistryClient serviceOnly = new RegistryClient(fleetkit.serviceConnectionString("service"));
        assertThatThrownBy(() -> serviceOnly.getDevice("sdk-not-added")).isInstanceOf(IotHubUnauthorizedException.class)
                .hasMessageContaining("RegistryRead");
        assertThatThrownBy(() -> new TwinClient(fleetkit.serviceConnectionString("registryReadWrite")).get("sdk-not-added"))
                .isInstanceOf(IotHubException.class).hasMessageContaining("ServiceConnect");
    }

    private static DeviceConnectionState connectionState(RegistryClient registry, String deviceId) {
        try {
            return registry.getDevice(deviceId).getConnectionState();
        } catch (IotHubException | java.io.IOException e) {
            throw new AssertionError("reading device " + deviceId + ": " + e, e);
        }
    }

    /** A SAS token as IoT Hub's docs sign one: HMAC-SHA256 of the URL-encoded resource, a newline and the expiry. */
    private static String token(String key, String policy, Instant expiry) throws Exception {
        String sr = URLEncoder.encode("127.0.0.1", StandardCharsets.UTF_8);
        long se = expiry.getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(key), "HmacSHA256"));
        String sig = Base64.getEncoder().encodeToString(mac.doFinal((sr + "\n" + se).getBytes(StandardCharsets.UTF_8)));
        return "SharedAccessSignature sr=" + sr + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + se + "&skn=" + policy;
    }
}

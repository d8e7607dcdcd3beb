package io.fleetkit.firmware.sdk;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.pki.DeviceIdentity;

import javax.net.ssl.SSLContext;
import java.util.List;

/**
 * Provisions one device with Microsoft's own provisioning client (MQTT, X.509) instead of the
 * firmware model's DPS exchange, and hands the assignment to the firmware as it would find it in
 * flash. For checking a DPS (the local one, or Azure's) against the reference client. The SDK
 * dials port 8883.
 */
public final class AzureSdkProvisioning {
    private AzureSdkProvisioning() {
    }

    /** The SDK's X.509 security provider, with the TLS context from the factory PKI. */
    private static final class FactoryX509 extends SecurityProviderX509Cert {
        private final SSLContext tls;

        FactoryX509(DeviceIdentity d, SSLContext tls) {
            super(d.credential().certificate(), d.credential().key(),
                    d.credential().chain().size() > 1 ? List.of(d.credential().chain().get(1)) : List.of());
            this.tls = tls;
        }

        @Override
        public SSLContext getSSLContext() {
            return tls;
        }
    }

    /**
     * Registers and returns the device's flash contents with the assigned hub.
     *
     * @throws IllegalStateException naming the status when DPS did not assign the device
     */
    public static NonVolatileState register(String globalEndpoint, IdScope scope, DeviceIdentity device, SSLContext tls,
                                            NonVolatileState flash) throws InterruptedException {
        ProvisioningDeviceClient client;
        try {
            client = ProvisioningDeviceClient.create(globalEndpoint, scope.value(), ProvisioningDeviceClientTransportProtocol.MQTT,
                    new FactoryX509(device, tls));
        } catch (ProvisioningDeviceClientException e) {
            throw new IllegalStateException("the provisioning client could not start: " + e.getMessage(), e);
        }
        try {
            ProvisioningDeviceClientRegistrationResult r = client.registerDeviceSync();
            if (r.getProvisioningDeviceClientStatus() != ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED) {
                throw new IllegalStateException("DPS did not assign " + device.registrationId() + ": " + r.getProvisioningDeviceClientStatus()
                        + " " + r.getStatus());
            }
            if (!device.deviceId().value().equals(r.getDeviceId())) {
                throw new IllegalStateException("DPS assigned device id " + r.getDeviceId() + ", expected " + device.deviceId());
            }
            return flash.withHub(r.getIothubUri());
        } catch (ProvisioningDeviceClientException e) {
            throw new IllegalStateException("registering " + device.registrationId() + " failed: " + e.getMessage(), e);
        } finally {
            client.close();
        }
    }
}

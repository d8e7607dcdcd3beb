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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.util.List;

/**
 * Provisions one device with Microsoft's own provisioning client (MQTT, X.509) instead of the
 * firmware model's DPS exchange, and hands the assignment to the firmware as it would find it in
 * flash. For checking a DPS (the local one, or Azure's) against the reference client. The SDK
 * dials port 8883.
 */
public final class AzureSdkProvisioning {
    private static final Logger LOG = LoggerFactory.getLogger(AzureSdkProvisioning.class);

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
     * Registration attempts when the SDK loses DPS's answer. SDK 2.1.3's MQTT contract publishes a
     * request and only then waits on its lock for the answer ({@code ContractAPIMqtt}); an answer that
     * arrives in between — a local DPS on a busy machine — is queued but its notification is lost, the
     * wait runs its full minute, and the status poll's 10 s limit ({@code ProvisioningTask}) fails the
     * registration with a {@code TimeoutException}. A new registration goes through.
     */
    private static final int ATTEMPTS = 3;

    /**
     * Registers and returns the device's flash contents with the assigned hub, registering again
     * (up to {@value #ATTEMPTS} times in all) when the SDK timed out waiting for an answer.
     *
     * @throws IllegalStateException naming the status when DPS did not assign the device
     */
    public static NonVolatileState register(String globalEndpoint, IdScope scope, DeviceIdentity device, SSLContext tls,
                                            NonVolatileState flash) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return registerOnce(globalEndpoint, scope, device, tls, flash);
            } catch (IllegalStateException e) {
                if (attempt == ATTEMPTS || !timedOut(e)) {
                    throw e;
                }
                LOG.warn("{}: the provisioning client timed out waiting for DPS (attempt {} of {}); registering again",
                        device.registrationId(), attempt, ATTEMPTS);
            }
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static NonVolatileState registerOnce(String globalEndpoint, IdScope scope, DeviceIdentity device, SSLContext tls,
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

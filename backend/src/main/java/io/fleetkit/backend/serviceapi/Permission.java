package io.fleetkit.backend.serviceapi;

/**
 * What a shared access policy allows, as IoT Hub names it
 * (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas#iot-hub-permissions).
 */
public enum Permission {
    /** Read the identity registry. */
    REGISTRY_READ("RegistryRead"),
    /** Change the identity registry (implies reading it, as in IoT Hub's {@code registryReadWrite} policy). */
    REGISTRY_WRITE("RegistryWrite"),
    /** The service-facing endpoints: twins, direct methods, cloud-to-device messages. */
    SERVICE_CONNECT("ServiceConnect"),
    /** The device-facing endpoints (fleetkit's devices authenticate with certificates; kept for the policies' shape). */
    DEVICE_CONNECT("DeviceConnect");

    private final String azureName;

    Permission(String azureName) {
        this.azureName = azureName;
    }

    /** The name IoT Hub and its connection strings use, e.g. {@code RegistryRead}. */
    public String azureName() {
        return azureName;
    }

    /** @throws IllegalArgumentException naming the permissions there are */
    public static Permission ofAzureName(String name) {
        for (Permission p : values()) {
            if (p.azureName.equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown permission '" + name + "' (expected RegistryRead, RegistryWrite, ServiceConnect or DeviceConnect)");
    }
}

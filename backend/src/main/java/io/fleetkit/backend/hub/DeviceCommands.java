package io.fleetkit.backend.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The device-command port: everything a caller outside the gateway may do to a device — call a direct method, send it a
 * cloud-to-device message, patch its desired properties — and what it may know of its connection. The REST API, ownership
 * claims and (later) IoT Hub's service API depend on this interface, never on the gateway; the MQTT gateway implements it
 * in one process ({@code gateway.MqttDeviceCommands}), a hub cluster across processes.
 *
 * <p>Implementations are thread-safe; every command returns at once and completes its future when the outcome is known.
 * The semantics are IoT Hub's: a method call to a device that is not listening is a 404 (error code 404103), one it does not
 * answer in time a 504 (504101) — https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-direct-methods; cloud-to-device
 * messages are at least once, at most 50 waiting per device —
 * https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-messages-c2d.
 */
public interface DeviceCommands {
    /** The longest a caller may wait for a method's answer (IoT Hub's 300 s). */
    Duration MAX_METHOD_TIMEOUT = Duration.ofSeconds(300);

    /**
     * Calls a direct method. The future completes with the device's status and payload; with a {@link MethodResult#NOT_ONLINE}
     * result at once when the device is not connected or not subscribed to methods; with a {@link MethodResult#TIMEOUT}
     * result when it does not answer within {@code timeout}. It completes exceptionally only when the hub cannot tell where the
     * device is (a cluster whose store is unreachable, or too many commands waiting for it).
     *
     * @param payload JSON, at most 128 KB
     * @throws IllegalArgumentException when the payload is too large or the timeout not in (0, {@link #MAX_METHOD_TIMEOUT}]
     */
    CompletableFuture<MethodResult> invokeMethod(DeviceId deviceId, MethodName method, byte[] payload, Duration timeout);

    /**
     * Checks a method call's arguments as {@link #invokeMethod} documents them.
     *
     * @throws IllegalArgumentException when the payload is too large or the timeout not in (0, {@link #MAX_METHOD_TIMEOUT}]
     */
    static void checkMethodCall(MethodName method, byte[] payload, Duration timeout) {
        java.util.Objects.requireNonNull(method, "method");
        if (payload.length > io.fleetkit.protocol.message.Messages.METHOD_PAYLOAD_MAX_BYTES) {
            throw new IllegalArgumentException("payload: at most " + io.fleetkit.protocol.message.Messages.METHOD_PAYLOAD_MAX_BYTES
                    + " bytes, was " + payload.length);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_METHOD_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout: must be positive and at most " + MAX_METHOD_TIMEOUT + ", was " + timeout);
        }
    }

    /**
     * Queues a cloud-to-device message, delivered at least once whenever the device listens, within its time to live. The
     * future completes with the message id once queued, or fails with {@link CloudToDeviceQueue.QueueFullException}.
     *
     * @param ttl how long it may wait, at most 2 days; null for the hub's default (one hour)
     * @throws IllegalArgumentException when the payload is over 64 KB or the TTL out of range
     */
    CompletableFuture<String> sendCloudToDevice(DeviceId deviceId, byte[] payload, Map<String, String> properties, Duration ttl);

    /** {@link #sendCloudToDevice(DeviceId, byte[], Map, Duration)} with the default time to live. */
    default CompletableFuture<String> sendCloudToDevice(DeviceId deviceId, byte[] payload, Map<String, String> properties) {
        return sendCloudToDevice(deviceId, payload, properties, null);
    }

    /** Patches the desired properties, notifying the device if it listens; completes with the new desired version. */
    CompletableFuture<Long> updateDesired(DeviceId deviceId, ObjectNode patch);

    /**
     * Patches the twin's tags and desired properties in one change, as IoT Hub's twin PATCH does, and sends a desired patch to
     * the device if it listens. Completes with the twin after the patch, or fails with {@link Twins.StaleEtagException}.
     *
     * @param tags    a merge patch of the tags, or null
     * @param desired a merge patch of the desired properties, or null
     * @param ifEtag  the etag the caller saw, or null for any
     */
    CompletableFuture<Twins.Snapshot> patchTwin(DeviceId deviceId, ObjectNode tags, ObjectNode desired, String ifEtag);

    /**
     * Closes the device's connection wherever it is (it was disabled or removed from the registry); completes with whether it
     * was connected. Its next CONNECT is decided by the registry again.
     */
    CompletableFuture<Boolean> disconnect(DeviceId deviceId, String reason);

    /**
     * The device was removed from the registry: its connection closes, and its twin and the cloud-to-device messages waiting
     * for it are gone, as IoT Hub deletes them with the identity. Blocking (the store): call it off event loops.
     */
    void removed(DeviceId deviceId);

    /** Cloud-to-device messages waiting for the device, delivered or not (IoT Hub's {@code cloudToDeviceMessageCount}). Blocking. */
    int queuedCloudToDevice(DeviceId deviceId);

    /** The device's twin as the hub keeps it. */
    Twins.Snapshot twin(DeviceId deviceId);

    boolean isConnected(DeviceId deviceId);

    int connectedCount();

    /**
     * The certificate a connected device authenticated with on its current connection: the key that proves a device's
     * presence messages (ownership claims) is the one it holds right now. Empty when it is not connected.
     */
    Optional<X509Certificate> certificate(DeviceId deviceId);

    /** Adds a listener for devices connecting and disconnecting (e.g. the routing of lifecycle events). */
    void addConnectionListener(ConnectionListener listener);
}

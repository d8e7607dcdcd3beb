package io.fleetkit.backend.hub;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The outcome of a direct method call: the device's status and JSON payload, or the hub's
 * 404 (device not online or not subscribed to methods) or 504 (no answer in time), whose
 * payload is an error body {@code {"errorCode":404103,"message":…}}.
 *
 * @param fromHub true when the hub answered (not online, timeout), false when the device did —
 *                a device may itself answer 404 (unknown method) or 504
 */
public record MethodResult(int status, byte[] payload, boolean fromHub) {
    public static final int NOT_ONLINE = 404;
    public static final int TIMEOUT = 504;

    public MethodResult {
        Objects.requireNonNull(payload, "payload");
    }

    /** The device's answer. */
    public MethodResult(int status, byte[] payload) {
        this(status, payload, false);
    }

    public boolean isNotOnline() {
        return fromHub && status == NOT_ONLINE;
    }

    public boolean isTimeout() {
        return fromHub && status == TIMEOUT;
    }

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    public static MethodResult notOnline(String deviceId) {
        return error(NOT_ONLINE, 404103, "device '" + deviceId + "' is not online or not subscribed to direct methods");
    }

    public static MethodResult timeout(String deviceId, String method, long millis) {
        return error(TIMEOUT, 504101, "device '" + deviceId + "' did not answer '" + method + "' within " + millis + " ms");
    }

    private static MethodResult error(int status, int code, String message) {
        String body = "{\"errorCode\":" + code + ",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return new MethodResult(status, body.getBytes(StandardCharsets.UTF_8), true);
    }

    @Override
    public String toString() {
        return "MethodResult[" + status + ", " + payloadText() + "]";
    }
}

package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.UUID;

/**
 * An error as IoT Hub's service API answers it, so that the service SDKs raise the exception they raise against IoT Hub
 * (https://learn.microsoft.com/azure/iot-hub/troubleshoot-error-codes): the HTTP status, the {@code iothub-errorcode}
 * header, and a body {@code {"Message":"ErrorCode:DeviceNotFound;…","ExceptionMessage":"Tracking ID:…"}}. Direct-method
 * errors carry their six-digit code inside {@code Message} as JSON ({@code {"errorCode":404103,…}}), as IoT Hub's do and the
 * SDKs read them (the Java SDK's {@code IotHubException#getErrorCode()}).
 */
final class IotHubError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    final int status;
    final int code;
    final String name;
    private final boolean codeInBody;

    private IotHubError(int status, int code, String name, String message, boolean codeInBody) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.name = name;
        this.codeInBody = codeInBody;
    }

    static IotHubError of(int code, String name, String message) {
        return new IotHubError(code / 1000, code, name, message, false);
    }

    static IotHubError unauthorized(String message) {
        return of(401002, "IotHubUnauthorizedAccess", message);
    }

    static IotHubError badRequest(String message) {
        return of(400004, "ArgumentInvalid", message);
    }

    static IotHubError deviceNotFound(String deviceId) {
        return of(404001, "DeviceNotFound", "Device '" + deviceId + "' is not registered");
    }

    /** A direct method's error: IoT Hub puts its code in the message as JSON. */
    static IotHubError method(int code, String name, String message) {
        return new IotHubError(code / 1000, code, name, message, true);
    }

    /** The response body, with a tracking id the server logs beside it. */
    String body(String trackingId, Instant now) {
        ObjectNode body = JSON.createObjectNode();
        String stamp = "Tracking ID:" + trackingId + "-TimeStamp:" + ServiceJson.time(now);
        if (codeInBody) {
            ObjectNode inner = JSON.createObjectNode().put("errorCode", code).put("trackingId", trackingId).put("message", getMessage());
            inner.putObject("info");
            inner.put("timestampUtc", ServiceJson.time(now));
            body.put("Message", inner.toString());
            body.put("ExceptionMessage", "");
        } else {
            body.put("Message", "ErrorCode:" + name + ";" + getMessage());
            body.put("ExceptionMessage", stamp);
        }
        return body.toString();
    }

    static String newTrackingId() {
        return UUID.randomUUID().toString().replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }
}

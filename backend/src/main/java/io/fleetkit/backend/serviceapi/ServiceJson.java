package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.backend.registry.ConnectionState;
import io.fleetkit.backend.registry.Device;
import io.fleetkit.backend.registry.DeviceStatus;
import io.fleetkit.backend.registry.Thumbprints;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The service API's JSON, in IoT Hub's shapes (https://learn.microsoft.com/rest/api/iothub/service/devices/get-identity,
 * …/devices/get-twin): device identities and twins out, the identity a registry PUT sends in.
 */
final class ServiceJson {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Milliseconds at most: the Java service SDK reads no more than three fraction digits. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private ServiceJson() {
    }

    static String time(Instant t) {
        return TIME.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    static String authenticationType(Authentication a) {
        return a == Authentication.X509_SELF_SIGNED ? "selfSigned" : "certificateAuthority";
    }

    /** A device identity as IoT Hub's registry GET answers it. */
    static ObjectNode device(Device d, int queued) {
        ObjectNode o = JSON.createObjectNode();
        o.put("deviceId", d.id().value());
        o.put("generationId", d.generationId());
        o.put("etag", d.etag());
        o.put("connectionState", d.connectionState() == ConnectionState.CONNECTED ? "Connected" : "Disconnected");
        o.put("status", d.isEnabled() ? "enabled" : "disabled");
        o.putNull("statusReason");
        o.put("connectionStateUpdatedTime", time(d.lastActivity()));
        o.put("statusUpdatedTime", time(d.created()));
        o.put("lastActivityTime", time(d.lastActivity()));
        o.put("cloudToDeviceMessageCount", queued);
        ObjectNode auth = o.putObject("authentication");
        ObjectNode thumbprint = auth.putObject("x509Thumbprint");
        thumbprint.put("primaryThumbprint", d.thumbprints() == null ? null : d.thumbprints().primary());
        thumbprint.put("secondaryThumbprint", d.thumbprints() == null ? null : d.thumbprints().secondary());
        auth.put("type", authenticationType(d.authentication()));
        o.putObject("capabilities").put("iotEdge", false);
        return o;
    }

    /** What a registry PUT asks for: the id in its body, the status, and how the device authenticates. */
    record Identity(String deviceId, DeviceStatus status, Authentication authentication, Thumbprints thumbprints) {
    }

    /** @throws IotHubError 400 naming the field that is wrong */
    static Identity identity(JsonNode body) {
        if (!(body instanceof ObjectNode o)) {
            throw IotHubError.badRequest("expected a device identity as a JSON object");
        }
        String id = o.path("deviceId").asText(null);
        String status = o.path("status").asText("enabled").toLowerCase(Locale.ROOT);
        DeviceStatus s = switch (status) {
            case "enabled" -> DeviceStatus.ENABLED;
            case "disabled" -> DeviceStatus.DISABLED;
            default -> throw IotHubError.badRequest("status: 'enabled' or 'disabled', was '" + status + "'");
        };
        JsonNode auth = o.path("authentication");
        String type = auth.path("type").asText("sas");
        return switch (type) {
            case "selfSigned" -> {
                JsonNode t = auth.path("x509Thumbprint");
                try {
                    yield new Identity(id, s, Authentication.X509_SELF_SIGNED,
                            new Thumbprints(t.path("primaryThumbprint").asText(null), t.path("secondaryThumbprint").asText(null)));
                } catch (IllegalArgumentException e) {
                    throw IotHubError.badRequest("authentication.x509Thumbprint." + e.getMessage());
                }
            }
            case "certificateAuthority" -> new Identity(id, s, Authentication.X509_CA_SIGNED, null);
            case "sas", "none" -> throw IotHubError.badRequest("authentication.type '" + type + "' is not supported by fleetkit: devices "
                    + "authenticate with X.509 certificates, 'selfSigned' (by thumbprint) or 'certificateAuthority' (chained to an enrolled CA)");
            default -> throw IotHubError.badRequest("authentication.type: 'selfSigned' or 'certificateAuthority', was '" + type + "'");
        };
    }

    /** A twin as IoT Hub's twin GET answers it (no {@code $metadata}: fleetkit keeps no per-property times). */
    static ObjectNode twin(Device d, Twins.Snapshot t, int queued) {
        ObjectNode o = JSON.createObjectNode();
        o.put("deviceId", d.id().value());
        o.put("etag", t.etag());
        o.put("deviceEtag", d.etag());
        o.put("version", t.version());
        o.put("status", d.isEnabled() ? "enabled" : "disabled");
        o.put("statusUpdateTime", time(d.created()));
        o.put("connectionState", d.connectionState() == ConnectionState.CONNECTED ? "Connected" : "Disconnected");
        o.put("lastActivityTime", time(d.lastActivity()));
        o.put("cloudToDeviceMessageCount", queued);
        o.put("authenticationType", authenticationType(d.authentication()));
        ObjectNode thumbprint = o.putObject("x509Thumbprint");
        thumbprint.put("primaryThumbprint", d.thumbprints() == null ? null : d.thumbprints().primary());
        thumbprint.put("secondaryThumbprint", d.thumbprints() == null ? null : d.thumbprints().secondary());
        o.put("modelId", "");
        o.set("tags", t.tags());
        ObjectNode properties = o.putObject("properties");
        properties.set("desired", t.desired().deepCopy().put("$version", t.desiredVersion()));
        properties.set("reported", t.reported().deepCopy().put("$version", t.reportedVersion()));
        o.putObject("capabilities").put("iotEdge", false);
        return o;
    }
}

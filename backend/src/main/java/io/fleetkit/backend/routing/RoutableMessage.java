package io.fleetkit.backend.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.hub.DeviceToCloudMessage;
import io.fleetkit.protocol.mqtt.SystemProperty;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a route condition can look at: application properties by name, system properties as
 * {@code $contentType}, {@code $contentEncoding}, {@code $connectionDeviceId}, {@code $messageId}
 * …, and the body as JSON ({@code $body.a.b}) when the message says it is
 * {@code application/json} in UTF-8, as IoT Hub requires for body queries. The body is parsed
 * once, on first use. Not thread-safe.
 */
public final class RoutableMessage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DeviceToCloudMessage message;
    private JsonNode body;
    private boolean bodyParsed;

    public RoutableMessage(DeviceToCloudMessage message) {
        this.message = message;
    }

    public DeviceToCloudMessage message() {
        return message;
    }

    public Optional<String> applicationProperty(String name) {
        return message.properties().get(name);
    }

    /** A system property by its query name: {@code contentType}, {@code connectionDeviceId}, … (without the {@code $}). */
    public Optional<String> systemProperty(String name) {
        return switch (name) {
            case "connectionDeviceId" -> Optional.of(message.deviceId().value());
            case "connectionModuleId" -> message.moduleId().map(m -> m.value());
            case "contentType" -> message.properties().get(SystemProperty.CONTENT_TYPE);
            case "contentEncoding" -> message.properties().get(SystemProperty.CONTENT_ENCODING);
            case "messageId" -> message.properties().get(SystemProperty.MESSAGE_ID);
            case "correlationId" -> message.properties().get(SystemProperty.CORRELATION_ID);
            case "userId" -> message.properties().get(SystemProperty.USER_ID);
            case "iothub-interface-id", "interfaceId" -> message.properties().get(SystemProperty.INTERFACE_ID);
            case "component" -> message.properties().get(SystemProperty.COMPONENT_NAME);
            default -> Optional.empty();
        };
    }

    /** The body as JSON, when it is declared JSON in UTF-8 and parses. */
    public Optional<JsonNode> body() {
        if (!bodyParsed) {
            bodyParsed = true;
            String type = systemProperty("contentType").orElse("").toLowerCase(Locale.ROOT);
            String encoding = systemProperty("contentEncoding").orElse("").toLowerCase(Locale.ROOT);
            if (type.startsWith("application/json") && (encoding.equals("utf-8") || encoding.equals("utf8"))) {
                try {
                    body = JSON.readTree(message.body());
                } catch (IOException notJson) {
                    body = null;
                }
            }
        }
        return Optional.ofNullable(body);
    }
}

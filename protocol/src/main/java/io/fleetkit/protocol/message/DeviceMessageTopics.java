package io.fleetkit.protocol.message;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.mqtt.PropertyBag;
import io.fleetkit.protocol.mqtt.SystemProperty;
import io.fleetkit.protocol.mqtt.TelemetryTopic;

/**
 * The topic a device publishes a {@link DeviceMessage} on: its sequence number as the message
 * id ({@code $.mid}, which the hub de-duplicates redeliveries by), the body's content type and
 * encoding, and the {@code type} property the hub routes on.
 * <pre>devices/dev-001/messages/events/$.mid=42&amp;$.ct=application%2Fjson&amp;$.ce=utf-8&amp;type=telemetry</pre>
 */
public final class DeviceMessageTopics {
    public static final String CONTENT_TYPE = "application/json";
    public static final String CONTENT_ENCODING = "utf-8";

    private DeviceMessageTopics() {
    }

    public static TelemetryTopic topicFor(DeviceId device, DeviceMessage message) {
        return new TelemetryTopic(device, PropertyBag.builder()
                .put(SystemProperty.MESSAGE_ID, Long.toString(message.seq()))
                .put(SystemProperty.CONTENT_TYPE, CONTENT_TYPE)
                .put(SystemProperty.CONTENT_ENCODING, CONTENT_ENCODING)
                .put(MessageType.PROPERTY, message.type().wireName())
                .build());
    }
}

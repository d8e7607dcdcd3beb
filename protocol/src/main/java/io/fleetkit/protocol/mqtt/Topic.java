package io.fleetkit.protocol.mqtt;

/**
 * A PUBLISH topic of the IoT Hub or DPS MQTT dialect, as a typed value.
 *
 * <p>{@link #parse(String)} is the one place that turns topic text into a value; each type's
 * {@link #format()} turns it back into exactly the text the Azure SDKs send or accept.
 */
public sealed interface Topic
        permits TelemetryTopic, DeviceboundTopic, MethodRequestTopic, MethodResponseTopic,
        TwinGetTopic, TwinReportedPatchTopic, TwinResponseTopic, TwinDesiredPatchTopic,
        DpsRegisterTopic, DpsOperationStatusTopic, DpsResponseTopic {

    /** Who publishes on a topic. */
    enum Direction {
        /** The device publishes; the hub or DPS receives. */
        DEVICE_TO_CLOUD,
        /** The hub or DPS publishes; the device receives. */
        CLOUD_TO_DEVICE
    }

    /** The wire text of this topic. */
    String format();

    Direction direction();

    /**
     * Parses any IoT Hub or DPS topic.
     *
     * @throws io.fleetkit.protocol.ProtocolException naming the index and reason when the
     *         text is not a topic of either dialect
     */
    static Topic parse(String topic) {
        return TopicParser.parse(topic);
    }

    /**
     * {@link #parse(String)} for a caller that only looks (a transport's log line, a counter): the topic, or empty when the
     * text is not a topic of either dialect.
     */
    static java.util.Optional<Topic> tryParse(String topic) {
        try {
            return java.util.Optional.of(TopicParser.parse(topic));
        } catch (io.fleetkit.protocol.ProtocolException notATopic) {
            return java.util.Optional.empty();
        }
    }
}

package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.id.DeviceId;

import java.util.Objects;

/**
 * The subscriptions the hub and DPS understand. A device may subscribe only to these; the
 * hub checks that a devicebound filter names the connected device.
 */
public sealed interface TopicFilter permits TopicFilter.Devicebound, TopicFilter.Fixed {

    String format();

    /** Whether a topic the cloud publishes falls under this filter. */
    boolean matches(Topic topic);

    /** {@code devices/{deviceId}/messages/devicebound/#}: cloud-to-device messages for one device. */
    record Devicebound(DeviceId deviceId) implements TopicFilter {
        public Devicebound {
            Objects.requireNonNull(deviceId, "deviceId");
        }

        @Override
        public String format() {
            return "devices/" + deviceId.value() + "/messages/devicebound/#";
        }

        @Override
        public boolean matches(Topic topic) {
            return topic instanceof DeviceboundTopic d && d.deviceId().equals(deviceId);
        }
    }

    /** The filters that name no device. */
    enum Fixed implements TopicFilter {
        /** {@code $iothub/methods/POST/#}: direct method calls. */
        METHOD_REQUESTS("$iothub/methods/POST/#"),
        /** {@code $iothub/twin/res/#}: answers to twin GET and PATCH. */
        TWIN_RESPONSES("$iothub/twin/res/#"),
        /** {@code $iothub/twin/PATCH/properties/desired/#}: desired-property changes. */
        TWIN_DESIRED_PATCHES("$iothub/twin/PATCH/properties/desired/#"),
        /** {@code $dps/registrations/res/#}: DPS answers. */
        DPS_RESPONSES("$dps/registrations/res/#");

        private final String text;

        Fixed(String text) {
            this.text = text;
        }

        @Override
        public String format() {
            return text;
        }

        @Override
        public boolean matches(Topic topic) {
            return switch (this) {
                case METHOD_REQUESTS -> topic instanceof MethodRequestTopic;
                case TWIN_RESPONSES -> topic instanceof TwinResponseTopic;
                case TWIN_DESIRED_PATCHES -> topic instanceof TwinDesiredPatchTopic;
                case DPS_RESPONSES -> topic instanceof DpsResponseTopic;
            };
        }
    }

    /**
     * Parses a SUBSCRIBE filter.
     *
     * @throws ProtocolException when it is none of the supported filters
     */
    static TopicFilter parse(String filter) {
        if (filter == null) {
            throw new ProtocolException(Subject.TOPIC_FILTER, null, null, "must not be null");
        }
        for (Fixed f : Fixed.values()) {
            if (f.text.equals(filter)) {
                return f;
            }
        }
        String prefix = "devices/";
        String suffix = "/messages/devicebound/#";
        if (filter.startsWith(prefix) && filter.endsWith(suffix) && filter.length() > prefix.length() + suffix.length()) {
            String id = filter.substring(prefix.length(), filter.length() - suffix.length());
            try {
                return new Devicebound(new DeviceId(id));
            } catch (ProtocolException e) {
                throw new ProtocolException(Subject.TOPIC_FILTER, filter, "index " + prefix.length(), e.getMessage());
            }
        }
        throw new ProtocolException(Subject.TOPIC_FILTER, filter, null,
                "not a filter the hub or DPS supports; expected devices/{deviceId}/messages/devicebound/#, "
                        + "$iothub/methods/POST/#, $iothub/twin/res/#, $iothub/twin/PATCH/properties/desired/# "
                        + "or $dps/registrations/res/#");
    }
}

package io.fleetkit.backend.dps;

import io.fleetkit.protocol.id.HubHostName;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * How DPS picks the IoT hub of a device that registers through an enrollment, as Azure's policies do
 * (<a href="https://learn.microsoft.com/azure/iot-dps/how-to-use-allocation-policies">allocation policies</a>): evenly
 * weighted distribution over the linked hubs, one static hub, or a custom webhook in Azure Functions' request/response shape
 * (<a href="https://learn.microsoft.com/azure/iot-dps/concepts-custom-allocation">custom allocation</a>). Azure's "lowest
 * latency" policy has no meaning on one machine and is not offered.
 */
public sealed interface AllocationPolicy permits AllocationPolicy.Hashed, AllocationPolicy.Static, AllocationPolicy.Custom {
    /** DPS's default: evenly weighted distribution. */
    AllocationPolicy DEFAULT = new Hashed();

    /** The name DPS's service API uses for it: hashed, static, custom. */
    String name();

    /** Evenly weighted distribution: a stable hash of the registration id over the linked hubs (the same hub on every run). */
    record Hashed() implements AllocationPolicy {
        @Override
        public String name() {
            return "hashed";
        }
    }

    /** Every device of the enrollment to {@code hub}, which must be a linked hub. */
    record Static(HubHostName hub) implements AllocationPolicy {
        public Static {
            Objects.requireNonNull(hub, "hub");
        }

        @Override
        public String name() {
            return "static";
        }
    }

    /**
     * DPS asks a webhook: an HTTP(S) POST of Azure's AllocationRequest to {@code webhookUrl}, whose AllocationResponse names
     * the hub (one of the linked hubs) and optionally the device's initial twin.
     */
    record Custom(URI webhookUrl) implements AllocationPolicy {
        public Custom {
            Objects.requireNonNull(webhookUrl, "webhookUrl");
            String scheme = webhookUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || webhookUrl.getHost() == null) {
                throw new IllegalArgumentException("custom allocation: the webhook must be an http(s) URL, was '" + webhookUrl + "'");
            }
        }

        @Override
        public String name() {
            return "custom";
        }
    }

    /**
     * Parses the command line's form: {@code hashed}, {@code static:HOST} or {@code custom:URL}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static AllocationPolicy parse(String text, List<HubHostName> linkedHubs) {
        if (text.equals("hashed")) {
            return DEFAULT;
        }
        if (text.startsWith("static:")) {
            HubHostName hub = HubHostName.of(text.substring("static:".length()));
            if (!linkedHubs.contains(hub)) {
                throw new IllegalArgumentException("static allocation to '" + hub.value() + "': not a linked hub; the hubs are "
                        + linkedHubs.stream().map(HubHostName::value).toList() + " (--hub-host-names)");
            }
            return new Static(hub);
        }
        if (text.startsWith("custom:")) {
            try {
                return new Custom(URI.create(text.substring("custom:".length())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("custom allocation") ? e.getMessage()
                        : "custom allocation: not a URL: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("allocation policy '" + text + "': expected hashed, static:HOST or custom:URL");
    }
}

package io.fleetkit.firmware;

import io.fleetkit.protocol.testport.TestPortMessage.LedMode;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What the firmware asks its transport and hardware to do, in order. */
public sealed interface Action {

    /** Which service a connection is to. */
    enum Link {
        DPS, HUB
    }

    /**
     * Open an MQTT 3.1.1 connection over TLS with the device's certificate.
     *
     * @param host where to connect (the DPS global endpoint, or the assigned hub)
     */
    record Connect(Link link, String host, String clientId, String username, int keepAliveSeconds) implements Action {
        public Connect {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(username, "username");
        }
    }

    /** Close the connection on {@code link} (nothing happens when there is none). */
    record Disconnect(Link link) implements Action {
    }

    record Subscribe(Link link, int packetId, List<String> filters) implements Action {
        public Subscribe {
            filters = List.copyOf(filters);
        }
    }

    /**
     * @param qos       0 or 1
     * @param packetId  for QoS 1, the id the PUBACK will name; 0 for QoS 0
     */
    record Publish(Link link, String topic, byte[] payload, int qos, int packetId) implements Action {
        public Publish {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** Fire {@link Event.TimerFired} after {@code delay}, replacing a pending timer of the same kind. */
    record Schedule(Timer timer, Duration delay) implements Action {
    }

    record Cancel(Timer timer) implements Action {
    }

    record SetLed(LedMode mode, String color, int periodMs) implements Action {
    }

    /** Write the non-volatile state (it survives reboots; a factory reset clears it). */
    record Persist(NonVolatileState state) implements Action {
    }
}

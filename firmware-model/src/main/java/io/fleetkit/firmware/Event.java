package io.fleetkit.firmware;

import io.fleetkit.firmware.Action.Link;

import java.util.Objects;

/**
 * What happens to the device, fed to {@link Firmware#handle}. Transports turn socket events into
 * these; tests write them by hand. Every event concerns the link it names, so a late event from a
 * link the firmware already left (a DPS CONNACK after the hub connect started) is ignored.
 */
public sealed interface Event {

    /** Power on (or the end of a reboot). */
    record Boot() implements Event {
    }

    /** A timer set by {@link Action.Schedule} fired. */
    record TimerFired(Timer timer) implements Event {
        public TimerFired {
            Objects.requireNonNull(timer, "timer");
        }
    }

    /** CONNACK accepted on {@code link}. */
    record Connected(Link link) implements Event {
    }

    /**
     * The connection on {@code link} could not be made or was refused.
     *
     * @param connAckCode the CONNACK return code, or -1 when there was none (TCP, TLS, timeout)
     */
    record ConnectFailed(Link link, int connAckCode, String reason) implements Event {
    }

    /** An open connection on {@code link} ended. */
    record ConnectionLost(Link link, String reason) implements Event {
    }

    /** SUBACK for a {@link Action.Subscribe}; a granted QoS of 0x80 is a refusal. */
    record SubscribeAcknowledged(Link link, int packetId, int[] grantedQos) implements Event {
    }

    /** PUBACK for a QoS 1 {@link Action.Publish}. */
    record PublishAcknowledged(Link link, int packetId) implements Event {
    }

    /** A PUBLISH from the cloud. */
    record MessageReceived(Link link, String topic, byte[] payload) implements Event {
    }

    /** Power cycle or reset button: the device restarts now, keeping only its flash. */
    record PowerCycle() implements Event {
    }

    /** Someone pressed the device's button (a person, the dashboard, a script). */
    record ButtonPressed() implements Event {
    }

    /** The simulation's operator changed how often telemetry goes (a load knob, not a device event). */
    record RateChanged(double rateMultiplier) implements Event {
    }
}

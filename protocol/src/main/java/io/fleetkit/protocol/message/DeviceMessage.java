package io.fleetkit.protocol.message;

import java.time.Instant;

/**
 * A device-to-cloud application message, the body of a publish on
 * {@code devices/{id}/messages/events/…}. Every message carries the schema version
 * ({@code "v": 1}), its {@code type}, a per-device sequence number (increasing by one per
 * message, kept across reconnects, the key for de-duplicating redeliveries) and the device's
 * timestamp.
 */
public sealed interface DeviceMessage permits Telemetry, Lifecycle, Alert, Presence {
    /** The version of the message schemas this library reads and writes. */
    int VERSION = 1;

    MessageType type();

    /** The per-device sequence number, from 0. */
    long seq();

    /** When the device created the message (device clock, UTC). */
    Instant ts();
}

/**
 * The device messages (telemetry, lifecycle, alert, presence) as records under one sealed interface, with their limits, JSON
 * and CBOR codec and the IoT Hub topic each is sent on.
 */
package io.fleetkit.protocol.message;

/**
 * Ownership claims proved by physical possession: a claim starts with a direct method through the device-command port, the
 * device asks for a button press and sends a presence message signed with its device key, and the claim is decided against
 * the certificate of its current connection. Uses {@code hub.DeviceCommands} and {@code store}; must not import gateway.
 */
package io.fleetkit.backend.ownership;

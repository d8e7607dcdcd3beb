/**
 * The bridge: the physical device's test port attached to the hub as an ordinary device (DPS through the firmware's
 * {@code DpsRegistration}, then the hub with its certificate), relaying both ways.
 */
package io.fleetkit.hil.bridge;

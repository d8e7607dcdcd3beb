/**
 * The device firmware, sans-IO: {@link io.fleetkit.firmware.Firmware} takes {@code Event}s and returns {@code Action}s and
 * owns no socket, thread or clock; its DPS registration ({@link io.fleetkit.firmware.DpsRegistration}), method responder,
 * outbox and non-volatile state; the hardware abstraction and its simulation. The transports are in the sub-packages;
 * depends only on {@code protocol}.
 */
package io.fleetkit.firmware;

/**
 * The Netty transport: many devices on a few event loops (swarms), TLS with each device's own key, and the bare
 * {@code LoadDevice} the load runs use. Drives the firmware; decides nothing of the protocol itself.
 */
package io.fleetkit.firmware.netty;

/**
 * DPS over MQTT as values: the register request, registration operations and states, statuses and substatuses, DPS error
 * bodies, and their codecs (as the Azure SDKs send and read them).
 */
package io.fleetkit.protocol.dps;

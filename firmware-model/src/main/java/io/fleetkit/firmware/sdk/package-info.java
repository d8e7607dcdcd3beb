/** Provisioning through the official Azure DPS device SDK, for devices that register as Azure's own client does. */
package io.fleetkit.firmware.sdk;

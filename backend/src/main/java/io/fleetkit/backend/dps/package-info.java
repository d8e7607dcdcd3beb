/**
 * The Device Provisioning Service without its transport: enrollments (individual, or a group keyed by a CA certificate),
 * registration operations and their status, allocation to the linked hubs, Azure DPS error codes and the 429 emulation.
 * The gateway speaks MQTT for it, the REST API manages enrollments. Depends only on registry and throttle.
 */
package io.fleetkit.backend.dps;

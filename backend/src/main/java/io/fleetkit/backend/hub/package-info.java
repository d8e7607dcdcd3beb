/**
 * What the hub hands on and keeps, without any protocol: the device-to-cloud sink (PUBACK only after it completes), the
 * device-command port ({@link io.fleetkit.backend.hub.DeviceCommands}) and its results, twins, the cloud-to-device queue,
 * connection listeners and the ingest budget. The gateway implements and feeds these; routing, ownership and the REST API
 * use them. Depends on no other backend package.
 */
package io.fleetkit.backend.hub;

/**
 * One logical IoT Hub on several processes: hub nodes that share port 8883 ({@code SO_REUSEPORT}) and their state in
 * PostgreSQL, and the device-command port across them. A command for a device goes to the node that holds its connection
 * (the device → node map in the store) over that node's command endpoint; a second connection of a device on any node
 * closes the first. Sits after {@code store} on the message path: it imports the gateway, the hub and the store, and the
 * API reaches it only through {@link io.fleetkit.backend.hub.DeviceCommands}.
 */
package io.fleetkit.backend.cluster;

/**
 * The MQTT listener that is both the local IoT Hub and DPS: TLS with client certificates, the CONNECT dialects (hub and DPS
 * usernames), per-device authorization of topics, keep-alive, deadlines and budgets for connections not yet authenticated,
 * per-connection in-flight limits and backpressure ({@code autoRead}), and the device-command port over MQTT
 * ({@link io.fleetkit.backend.gateway.MqttDeviceCommands}: {@code $rid} correlation, 404/504, cloud-to-device delivery with
 * lock and redelivery). The Netty pipeline is built in {@link io.fleetkit.backend.gateway.GatewayChannelInitializer}.
 * It hands device-to-cloud messages on through {@code hub.DeviceToCloudSink}; it must not import routing, stream,
 * processing, store, ownership or api.
 */
package io.fleetkit.backend.gateway;

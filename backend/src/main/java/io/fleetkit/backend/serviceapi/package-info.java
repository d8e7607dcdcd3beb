/**
 * IoT Hub's service API (https://learn.microsoft.com/rest/api/iothub/service), wire-compatible with the official service
 * SDKs: the registry ({@code /devices}), twins ({@code /twins}) and direct methods ({@code /twins/{id}/methods}) over HTTPS,
 * behind IoT Hub's shared access policies and SAS tokens. It reaches devices only through the device-command port
 * ({@code hub.DeviceCommands}) and the registry, as fleetkit's own REST API ({@code api}) does.
 */
package io.fleetkit.backend.serviceapi;

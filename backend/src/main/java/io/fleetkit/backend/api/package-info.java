/**
 * fleetkit's REST API and dashboard on Vert.x Web: JWT validation against a JWKS (the dev issuer or an OpenID Connect
 * provider), owners' access to their devices, direct methods and claims, provisioning management, OpenAPI, Prometheus
 * metrics and {@code /healthz}. Errors become RFC 9457 problem bodies in one place ({@code Problems}). Reads {@code store};
 * reaches devices only through {@code hub.DeviceCommands}, never the gateway.
 */
package io.fleetkit.backend.api;

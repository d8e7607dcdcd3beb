/**
 * IoT Hub's message routing: routes (source, condition in IoT Hub's query language, endpoint) and the fallback route, applied
 * by {@link io.fleetkit.backend.routing.RoutingSink}, the hub's device-to-cloud sink, which appends each message to the
 * streams of its endpoints and completes only when they hold it durably. Also turns connection changes into lifecycle
 * events. Reads from {@code hub}, writes to {@code stream}; must not import gateway, processing, store or api.
 */
package io.fleetkit.backend.routing;

/**
 * The backend SDK's surface: a {@link io.fleetkit.backend.processing.DeviceMessageHandler} runs as a consumer group of a stream
 * ({@link io.fleetkit.backend.processing.StreamProcessor}), at least once — what a handler has flushed is committed — and
 * fleetkit's own handlers (device state, telemetry rows, ownership) are written on the same surface. Reads {@code stream},
 * writes to {@code store} and {@code ownership}; must not import gateway or routing.
 */
package io.fleetkit.backend.processing;

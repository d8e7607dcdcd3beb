/**
 * Time-windowed Avro archives of a stream in the Event Hubs Capture layout, written under allow-listed paths only: one more
 * reader of the streams, started beside the processors. Reads {@code stream}; nothing but the assembly imports it.
 */
package io.fleetkit.backend.capture;

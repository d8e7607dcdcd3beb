/**
 * The physical device's test port: COBS framing with CRC-16/CCITT-FALSE, typed CBOR frames (hello, telemetry, events, method
 * call and result, button, LED, log), and a streaming decoder that reports corrupt frames as results and resynchronises.
 */
package io.fleetkit.protocol.testport;

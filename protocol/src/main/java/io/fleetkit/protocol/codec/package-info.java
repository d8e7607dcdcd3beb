/**
 * The strict codec machinery under every message: field definitions ({@code Field}, {@code Kind}) read from JSON or CBOR
 * trees with JSON-path errors, and written back canonically. Used by the message, DPS and test-port codecs; imports no other
 * protocol package but the error types.
 */
package io.fleetkit.protocol.codec;

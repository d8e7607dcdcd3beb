/**
 * The exported contract for the embedded team: JSON Schemas, samples and golden vectors under {@code protocol/spec/}, made
 * from the codecs themselves (with a deterministic signer so the vectors do not change between runs).
 */
package io.fleetkit.protocol.spec;

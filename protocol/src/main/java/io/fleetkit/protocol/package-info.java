/**
 * The contract between firmware and backend, with no dependency on any other fleetkit module: typed identities, IoT Hub and
 * DPS topics and usernames, device messages and their codecs, direct-method contracts, device models, the factory PKI, the
 * test-port framing, and the spec export. Here too is the error family every module shares: {@link
 * io.fleetkit.protocol.FleetkitException} (a kind, and whose fault it is) and {@link io.fleetkit.protocol.ProtocolException}
 * (malformed input from outside). Imports nothing of fleetkit.
 */
package io.fleetkit.protocol;

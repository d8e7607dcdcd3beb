/**
 * Typed identities validated once when built — {@code DeviceId}, {@code RegistrationId}, {@code IdScope}, {@code MethodName},
 * {@code HubHostName}, {@code RequestId}, {@code OperationId}, {@code ModuleId} — with IoT Hub's character rules; a bad value
 * is a {@code ProtocolException} naming the character and its index.
 */
package io.fleetkit.protocol.id;

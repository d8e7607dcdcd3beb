/**
 * Device identities as the hub knows them: id, authentication type, status (enabled or disabled), connection state and last
 * activity, behind {@link io.fleetkit.backend.registry.DeviceRegistry} (in memory, or the store's table). Depends on nothing.
 */
package io.fleetkit.backend.registry;

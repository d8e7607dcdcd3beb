/**
 * How each part of the backend says whether it works: a {@link io.fleetkit.backend.health.Health}
 * value per part (a stream's writer, a processor's workers, the store), which {@code /healthz}
 * reports one by one. Depends on nothing.
 */
package io.fleetkit.backend.health;

/**
 * JDBC persistence: the H2 file database by default, PostgreSQL for real deployments, one schema migrated by Flyway; the
 * device state, telemetry rows, claims, consumer offsets and the registry's table. Must not import the message path's other
 * stages.
 */
package io.fleetkit.backend.store;

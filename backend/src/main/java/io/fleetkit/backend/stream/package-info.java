/**
 * The partitioned durable log behind one interface, {@link io.fleetkit.backend.stream.Stream}: records partitioned by device
 * id, consumer-group checkpoints, retention. {@link io.fleetkit.backend.stream.FileStream} is the embedded default,
 * {@link io.fleetkit.backend.stream.InMemoryStream} the one for tests. {@link io.fleetkit.backend.stream.RecordProperties}
 * names the properties the hub sets on a record, so writers and readers share them here. Depends only on health.
 */
package io.fleetkit.backend.stream;

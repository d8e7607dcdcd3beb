/**
 * The assembly: {@link io.fleetkit.backend.EmbeddedHub} (the local IoT Hub + DPS on one port) and
 * {@link io.fleetkit.backend.Backend} (the hub, routing, streams, processors, store and REST API wired together). The only
 * place that sees every package; no package imports it. {@code PackageGraphTest} checks the graph the package comments
 * draw.
 */
package io.fleetkit.backend;

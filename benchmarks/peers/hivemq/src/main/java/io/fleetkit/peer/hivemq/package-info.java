/** A load-run peer in its own JVM: HiveMQ CE embedded, with TLS, as released. */
package io.fleetkit.peer.hivemq;

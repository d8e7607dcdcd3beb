/** A load-run peer in its own JVM: one official Azure SDK {@code DeviceClient} per device. */
package io.fleetkit.peer.sdk;

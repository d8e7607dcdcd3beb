/** A JMH benchmark in the gateway's package, to drive its package-private session handler directly. */
package io.fleetkit.backend.gateway;

/** The test-port link over a serial line or TCP: framing, liveness, reconnection; the ports behind one interface. */
package io.fleetkit.hil.link;

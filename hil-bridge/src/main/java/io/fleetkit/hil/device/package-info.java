/** The firmware model as the device end of a test-port link, for tests and demos without hardware. */
package io.fleetkit.hil.device;

/** Conformance runs: the device and the firmware model through one scenario, every difference reported. */
package io.fleetkit.hil.conform;

/** The Eclipse Paho transport: one faithful device, as the embedded team sees it; drives the firmware. */
package io.fleetkit.firmware.paho;

/** The firmware model behind a test port: it plays the physical device on the other end of a pty or TCP link. */
package io.fleetkit.firmware.testport;

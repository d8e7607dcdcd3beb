/**
 * {@code fleetkit-junit}: {@link io.fleetkit.junit.FleetkitTest} gives a test class a running hub + DPS + backend with a
 * throw-away PKI, reached through a {@link io.fleetkit.junit.Fleetkit} parameter. For the backend team's own suites.
 */
package io.fleetkit.junit;

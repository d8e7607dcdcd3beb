/**
 * Swarms: thousands of firmware devices on the Netty transport with a ramp, resize, rate and method overrides
 * ({@code Swarm}); their metrics and summary ({@code SwarmMetrics}, {@code SwarmReport}); and a run for a duration with
 * progress ({@link io.fleetkit.firmware.swarm.SwarmRun}) that {@code fleetkit sim}, {@code demo} and the load runs share.
 */
package io.fleetkit.firmware.swarm;

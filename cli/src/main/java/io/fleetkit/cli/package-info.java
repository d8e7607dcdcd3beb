/**
 * The {@code fleetkit} command: picocli adapters only — options (shared ones as mixins), output, exit codes
 * ({@code FleetkitCommand.execute} translates failures once). What a command does lives in the module that owns it: a
 * swarm run in {@code firmware-model}, the platform in {@code backend}, the bridge in {@code hil-bridge}.
 */
package io.fleetkit.cli;

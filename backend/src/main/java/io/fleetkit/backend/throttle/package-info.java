/**
 * Azure-like quota profiles (F1, S1–S3 times units) for the hub and DPS, and the token-bucket limiters that enforce them at
 * run time. Depends on nothing.
 */
package io.fleetkit.backend.throttle;

/** JMH benchmarks of the backend: DPS registration, store inserts. */
package io.fleetkit.bench.backend;

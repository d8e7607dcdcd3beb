/** JMH benchmarks of the protocol: the telemetry codec, topics and frames. */
package io.fleetkit.bench.protocol;

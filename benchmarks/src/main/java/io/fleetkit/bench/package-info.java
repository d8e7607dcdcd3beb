/** JMH benchmarks of the message path (here and in the sub-packages), each against a baseline in the same run. */
package io.fleetkit.bench;

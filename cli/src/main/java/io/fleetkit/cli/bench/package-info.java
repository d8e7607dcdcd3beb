/** {@code fleetkit bench}: the options of each load-run scenario; the scenarios are in {@code io.fleetkit.bench.load}. */
package io.fleetkit.cli.bench;

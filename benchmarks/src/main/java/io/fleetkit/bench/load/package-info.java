/**
 * Whole-system load runs: one {@code …Scenario} per run, given a {@link io.fleetkit.bench.load.LoadRun}, and the harness they
 * share — the systems under test in their own processes ({@code BenchSystem}, {@code ServerProcess}, {@code HubBenchServer}),
 * the load ({@code LoadFleet}, {@code SwarmLoad}, {@code MethodCalls}) and the report ({@code BenchReport}). {@code fleetkit
 * bench} only reads options and calls a scenario; nothing here imports the CLI.
 */
package io.fleetkit.bench.load;

/**
 * Where a message's time goes on its way through the backend: a {@link io.fleetkit.backend.latency.StageTimings} holds
 * one HdrHistogram per stage of the message path (accepted → appended → PUBACK written; accepted → handed to a processor
 * → handled → stored) and per processor group, recorded lock-free on the path and read as totals (for {@code /metrics})
 * and as the last second's window (for the dashboard). Depends on nothing of the path; the gateway and the processors
 * record into it, the assembly reads it.
 */
package io.fleetkit.backend.latency;

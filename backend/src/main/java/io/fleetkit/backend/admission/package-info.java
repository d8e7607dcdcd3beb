/**
 * What a listener allows peers that have not yet proved who they are: caps on such connections
 * (overall and per source address) and logging of repeated refusals at a bounded rate. Used by the
 * MQTT gateway and the REST API alike; depends on nothing else in the backend.
 */
package io.fleetkit.backend.admission;

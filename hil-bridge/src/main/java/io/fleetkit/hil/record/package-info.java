/** Recordings of every frame both ways as JSON lines, and their replay as a timeline or to a bridge. */
package io.fleetkit.hil.record;

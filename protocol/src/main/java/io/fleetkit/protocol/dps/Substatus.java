package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.codec.WireName;

/** How an assignment came about. */
public enum Substatus implements WireName {
    /** The device was assigned to a hub for the first time. */
    INITIAL_ASSIGNMENT("initialAssignment"),
    DEVICE_DATA_MIGRATED("deviceDataMigrated"),
    DEVICE_DATA_RESET("deviceDataReset"),
    /** The device registered again and got its first assignment back. */
    REPROVISIONED_TO_INITIAL_ASSIGNMENT("reprovisionedToInitialAssignment");

    private final String wireName;

    Substatus(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}

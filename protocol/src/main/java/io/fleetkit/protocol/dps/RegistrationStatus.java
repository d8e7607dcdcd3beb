package io.fleetkit.protocol.dps;

import io.fleetkit.protocol.codec.WireName;

/** The status of a DPS registration (and of its operation). */
public enum RegistrationStatus implements WireName {
    UNASSIGNED("unassigned"), ASSIGNING("assigning"), ASSIGNED("assigned"), FAILED("failed"), DISABLED("disabled");

    private final String wireName;

    RegistrationStatus(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}

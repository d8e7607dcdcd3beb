package io.fleetkit.cli;

import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.io.PrintWriter;
import java.util.List;

/** A swarm's identities, dev-00001 … from a PKI directory ({@link FactoryBatch#loadOrIssue}), with progress on the terminal. */
final class SwarmIdentities {
    static final String PREFIX = "dev-";

    private SwarmIdentities() {
    }

    /** Devices {@code from} … {@code from + count - 1}, issued into {@code dir} where missing, then loaded. */
    static List<DeviceIdentity> load(PkiDirectory dir, int from, int count, PrintWriter err) {
        Progress issuing = new Progress(err, "issuing the missing device identities into " + dir.devicesDir() + ":");
        Progress loading = new Progress(err, "loading identities");
        return FactoryBatch.loadOrIssue(dir, PREFIX, from, count, issuing::update, loading::update);
    }
}

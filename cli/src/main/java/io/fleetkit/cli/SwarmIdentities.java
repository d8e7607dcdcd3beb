package io.fleetkit.cli;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The identities of a swarm's devices, dev-00001 … in a PKI directory: missing ones are issued first, with progress. */
final class SwarmIdentities {
    static final String PREFIX = "dev-";

    private SwarmIdentities() {
    }

    /** Devices {@code from} … {@code from + count - 1}, issued where missing, then loaded. */
    static List<DeviceIdentity> load(PkiDirectory dir, int from, int count, PrintWriter err) {
        List<RegistrationId> wanted = FactoryBatch.ids(PREFIX, from, count);
        Set<RegistrationId> existing = new HashSet<>(dir.deviceIds());
        List<RegistrationId> missing = wanted.stream().filter(id -> !existing.contains(id)).toList();
        if (!missing.isEmpty()) {
            err.printf("issuing %d missing device identities into %s%n", missing.size(), dir.devicesDir());
            FactoryBatch.issueInto(dir, new CertificateIssuer(), missing, KeyAlgorithm.EC_P256, Runtime.getRuntime().availableProcessors(),
                    new Progress(err, "issuing")::update);
        }
        Progress loading = new Progress(err, "loading identities");
        List<DeviceIdentity> out = new ArrayList<>(count);
        for (RegistrationId id : wanted) {
            out.add(dir.loadDevice(id));
            loading.update(out.size(), count);
        }
        return out;
    }
}

package io.fleetkit.bench.load;

import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The hub side of a load run, in its own JVM so its heap is measured alone. Arguments: PKI
 * directory, device count, id prefix. Prints {@code READY <port>}, then answers commands on
 * stdin: {@code heap} (used heap after GC, bytes), {@code connected}, {@code quit}.
 */
public final class HubServerMain {
    private HubServerMain() {
    }

    public static void main(String[] args) throws Exception {
        PkiDirectory pki = PkiDirectory.load(Path.of(args[0]));
        int devices = Integer.parseInt(args[1]);
        String prefix = args[2];
        try (EmbeddedHub hub = EmbeddedHub.builder(pki).port(0).start()) {
            // a connect storm measures the hub, not DPS: the devices are registered up front
            for (RegistrationId id : FactoryBatch.ids(prefix, 1, devices)) {
                hub.registry().createIfAbsent(id.toDeviceId(), Authentication.X509_CA_SIGNED, Instant.now());
            }
            System.out.println("READY " + hub.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "heap" -> System.out.println("HEAP " + usedHeapAfterGc());
                    case "connected" -> System.out.println("CONNECTED " + hub.hub().connectedCount());
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("ERROR unknown command " + line);
                }
            }
        }
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

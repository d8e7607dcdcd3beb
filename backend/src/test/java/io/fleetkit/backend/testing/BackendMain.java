package io.fleetkit.backend.testing;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.gateway.GatewayLimits;
import io.fleetkit.protocol.pki.PkiDirectory;

import java.nio.file.Path;

/**
 * A backend in a process of its own, for tests that kill it or give it a heap of its own:
 * {@code BackendMain PKI-DIR DATA-DIR [MAX-INFLIGHT INGEST-BUDGET-BYTES]} starts one on free ports (with
 * those gateway limits, when given), prints {@code ready HUB-PORT HTTP-PORT} and runs until killed.
 */
public final class BackendMain {
    private BackendMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GatewayLimits limits = args.length < 4 ? GatewayLimits.defaults()
                : GatewayLimits.defaults().withInflight(Integer.parseInt(args[2]), Long.parseLong(args[3]));
        Backend backend = Backend.builder(PkiDirectory.load(Path.of(args[0])), Path.of(args[1]))
                .hub(h -> h.port(0).limits(limits)).http("127.0.0.1", 0).start();
        System.out.println("ready " + backend.hub().port() + " " + backend.httpPort());
        System.out.flush();
        Thread.currentThread().join(); // until the test kills the process
    }
}

package io.fleetkit.it;

import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TestDatabases;
import org.junit.jupiter.api.Timeout;

/** The end-to-end contract on the default store: an H2 file database. */
@Timeout(120)
class H2BackendEndToEndIT extends BackendEndToEndContract {
    @Override
    Database database() {
        return TestDatabases.h2(tmp.resolve("h2"));
    }
}

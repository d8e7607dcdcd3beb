package io.fleetkit.it;

import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The end-to-end contract on the PostgreSQL at 127.0.0.1:5432, in a schema of its own. */
@Timeout(120)
class PostgresBackendEndToEndIT extends BackendEndToEndContract {
    private final String schema = TestDatabases.newSchemaName();

    @Override
    Database database() {
        return TestDatabases.postgres(schema);
    }

    @AfterEach
    void dropSchema() {
        TestDatabases.dropPostgresSchema(schema);
    }
}

package io.fleetkit.it;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.TestDatabases;
import io.fleetkit.backend.testing.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The end-to-end contract on the production engines: streams as topics on the Kafka broker, the store on PostgreSQL. */
@Timeout(120)
class KafkaPostgresBackendEndToEndIT extends BackendEndToEndContract {
    private final String schema = TestDatabases.newSchemaName();

    @Override
    Database database() {
        return TestDatabases.postgres(schema);
    }

    @Override
    Backend.Builder streams(Backend.Builder builder) {
        return builder.kafka(TestKafka.settings("e2e"));
    }

    @AfterEach
    void dropSchema() {
        TestDatabases.dropPostgresSchema(schema);
    }
}

package io.fleetkit.backend.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The same contract on the PostgreSQL at 127.0.0.1:5432, each test in a schema of its own. */
class PostgresStoreIT extends StoreContract {
    String schema;
    Database db;

    @BeforeEach
    void open() {
        schema = TestDatabases.newSchemaName();
        db = TestDatabases.postgres(schema);
    }

    @AfterEach
    void close() {
        db.close();
        TestDatabases.dropPostgresSchema(schema);
    }

    @Override
    Database database() {
        return db;
    }

    @Test
    void itIsReallyPostgres() {
        assertThat(db.dialect()).isEqualTo(Database.Dialect.POSTGRESQL);
    }

    @Test
    void anUnreachableServerIsReportedWithWhereAndWhy() {
        assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2", "postgres", "", null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:1/test")
                .hasMessageContaining("as postgres");
    }
}

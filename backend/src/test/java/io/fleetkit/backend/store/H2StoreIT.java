package io.fleetkit.backend.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2StoreIT extends StoreContract {
    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        db = TestDatabases.h2(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Override
    Database database() {
        return db;
    }

    @Test
    void theFileKeepsRowsAcrossAReopenAndMigrationsRunOnce() {
        new TelemetryStore(db).insert(List.of(row(D1, 1)));
        db.close();
        db = Database.h2(dir);
        assertThat(new TelemetryStore(db).count(D1)).isEqualTo(1);
        assertThat(db.dialect()).isEqualTo(Database.Dialect.H2);
    }

    @Test
    void anUnknownDatabaseUrlIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/x", "u", "p", null))
                .isInstanceOf(StoreException.class).hasMessageContaining("expected jdbc:h2:… or jdbc:postgresql:…");
    }
}

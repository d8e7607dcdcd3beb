package io.fleetkit.backend.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The databases the store tests run on: an H2 file in a temp dir, and a fresh schema in the
 * PostgreSQL on 127.0.0.1:5432 (override with FLEETKIT_TEST_POSTGRES_URL / _USER / _PASSWORD).
 */
public final class TestDatabases {
    public static final String POSTGRES_URL = env("FLEETKIT_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = env("FLEETKIT_TEST_POSTGRES_USER", "postgres");
    public static final String POSTGRES_PASSWORD = env("FLEETKIT_TEST_POSTGRES_PASSWORD", "");

    private TestDatabases() {
    }

    public static Database h2(Path dir) {
        return Database.h2(dir);
    }

    /** A database in a new schema; drop it with {@link #dropPostgresSchema}. */
    public static Database postgres(String schema) {
        return Database.open(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, schema);
    }

    public static String newSchemaName() {
        return "fk_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static void dropPostgresSchema(String schema) {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

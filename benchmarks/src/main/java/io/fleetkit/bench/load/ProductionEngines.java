package io.fleetkit.bench.load;

import java.util.Objects;

/**
 * Where the {@code fleetkit-kafka} system keeps its streams and rows: a Kafka broker (topics of its own, deleted when it
 * stops) and a PostgreSQL database (a schema of its own, dropped when it stops; the password from the environment variable
 * {@code FLEETKIT_DATABASE_PASSWORD}, as for {@code fleetkit serve}).
 */
public record ProductionEngines(String kafkaBootstrap, String databaseUrl, String databaseUser) {
    /** The broker {@code ./fleetkit kafka} starts and this machine's PostgreSQL. */
    public static final ProductionEngines LOCAL = new ProductionEngines("127.0.0.1:9092", "jdbc:postgresql://127.0.0.1:5432/postgres",
            "postgres");

    public ProductionEngines {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(databaseUser, "databaseUser");
        if (!databaseUrl.startsWith("jdbc:postgresql:")) {
            throw LoadRun.invalid("--database-url: expected jdbc:postgresql://HOST:PORT/DATABASE, was '" + databaseUrl + "'");
        }
    }

    static String password() {
        return System.getenv().getOrDefault("FLEETKIT_DATABASE_PASSWORD", "");
    }
}

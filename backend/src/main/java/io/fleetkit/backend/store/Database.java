package io.fleetkit.backend.store;

import com.zaxxer.hikari.HikariConfig;
import io.fleetkit.backend.health.Health;
import io.fleetkit.protocol.pki.PrivateFiles;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The backend's database: a HikariCP pool, migrated with Flyway on open
 * ({@code db/migration}). H2 (an embedded file, zero setup) by default, PostgreSQL for real
 * deployments; the same SQL runs on both because H2 runs in its PostgreSQL mode.
 */
public final class Database implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Database.class);
    private final HikariDataSource pool;
    private final Dialect dialect;
    private volatile java.time.Instant downSince;
    /** H2 only: checks every 2 s that the database answers and opens it again when it does not (see {@link #reopenH2}). */
    private final java.util.concurrent.ScheduledExecutorService watchdog;
    private long lastReopen; // nanoTime; health() callers, under this

    /** The SQL dialect; fleetkit writes portable SQL, this only names the product for messages and metrics. */
    public enum Dialect { H2, POSTGRESQL }

    private Database(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
        if (dialect == Dialect.H2) {
            watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fleetkit-store-watchdog");
                t.setDaemon(true);
                return t;
            });
            // a failure of the watchdog's own is logged by health(); nothing escapes to end the schedule
            watchdog.scheduleWithFixedDelay(() -> health(java.time.Duration.ofSeconds(2)), 2, 2, java.util.concurrent.TimeUnit.SECONDS);
            H2Compaction compaction = new H2Compaction(pool);
            watchdog.scheduleWithFixedDelay(() -> {
                try {
                    compaction.run();
                } catch (RuntimeException e) {
                    LOG.warn("compacting the H2 store failed: {}", e.toString());
                }
            }, 1, 1, java.util.concurrent.TimeUnit.MINUTES);
        } else {
            watchdog = null;
        }
    }

    /**
     * An H2 database in {@code dir}/fleetkit.mv.db, created if needed. {@code WRITE_DELAY=0}: H2
     * otherwise writes a commit to its file up to 500 ms later, so a killed process loses commits
     * its caller already acted on (a processor checkpoints its stream after its rows commit). With that, H2 does no
     * housekeeping of its own: {@link H2Compaction} does it. Even so, H2 may come back from a SIGKILL without its last
     * commits — more often the sooner it reuses freed space (its retention time, left at 45 s; {@code H2KillLoopIT} kills it
     * at 1 s) — so the built-in processors save their stream positions in the transactions of their writes
     * ({@link ConsumerOffsets}) and resume from those.
     * {@code DB_CLOSE_ON_EXIT=FALSE}: on Ctrl-C, H2's own shutdown hook would close the database
     * while the backend's hook still drains the processors into it; {@link #close} closes it, last.
     */
    public static Database h2(Path dir) {
        try {
            PrivateFiles.createDirectories(dir); // H2 creates its files with the process's umask; the directory keeps them private
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the store directory " + dir + ": " + e.getMessage(), e);
        }
        Database db = open(h2Url(dir), "sa", "", null);
        try {
            PrivateFiles.restrict(dir.resolve("fleetkit.mv.db"));
        } catch (java.io.IOException e) {
            db.close();
            throw new StoreException("cannot make " + dir.resolve("fleetkit.mv.db") + " owner-only: " + e.getMessage(), e);
        }
        return db;
    }

    /** The JDBC URL of {@link #h2}'s database in {@code dir}. */
    static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("fleetkit")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Opens a database by JDBC URL ({@code jdbc:h2:…} or {@code jdbc:postgresql:…}) and migrates
     * it; {@code schema}, when given, is created if missing and used for every table.
     *
     * @throws StoreException when the database cannot be reached or migrated, saying which and why
     */
    public static Database open(String jdbcUrl, String user, String password, String schema) {
        Dialect dialect;
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            dialect = Dialect.H2;
            if (!lower.contains("mode=postgresql")) {
                jdbcUrl += ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
            }
        } else if (lower.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRESQL;
        } else {
            throw new StoreException("database URL: expected jdbc:h2:… or jdbc:postgresql:…, was '" + jdbcUrl + "'");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("fleetkit-store");
        // the processors' writers, the hub's state pool, a cluster node's directory and command lookups all borrow from it
        config.setMaximumPoolSize(Math.max(8, Runtime.getRuntime().availableProcessors() * 4));
        config.setConnectionTimeout(10_000);
        if (schema != null) {
            config.setSchema(schema);
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to " + redact(jdbcUrl) + " as " + user + ": " + rootMessage(e), e);
        }
        try {
            var flyway = Flyway.configure().dataSource(pool).locations("classpath:db/migration");
            if (schema != null) {
                flyway.schemas(schema).createSchemas(true);
            }
            flyway.load().migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new StoreException("cannot migrate " + redact(jdbcUrl) + ": " + rootMessage(e), e);
        }
        return new Database(pool, dialect);
    }

    /**
     * The health check: UP when a pooled connection answers a query within {@code timeout}; DOWN with the database's own
     * reason otherwise.
     */
    public Health health(java.time.Duration timeout) {
        try (java.sql.Connection c = pool.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            st.execute("SELECT 1");
            if (downSince != null) {
                LOG.info("the store answers again (down since {})", downSince);
                downSince = null;
            }
            return Health.ok();
        } catch (java.sql.SQLException | RuntimeException e) {
            java.time.Instant since = downSince;
            if (since == null) {
                downSince = since = java.time.Instant.now();
                LOG.error("the store does not answer: {}{}", rootMessage(e), dialect == Dialect.H2 ? "; opening it again every 5 s until it does" : "");
            }
            if (dialect == Dialect.H2) {
                reopenH2();
            }
            return Health.down("the database does not answer: " + rootMessage(e), since);
        }
    }

    /**
     * After a write fails (a full disk), H2 keeps refusing every statement with that failure until the database is opened
     * anew, even once the space is back; and its pooled connections still look valid. This closes it as a crash would
     * (what was committed stays; MVStore opens at its last complete chunk) and drops the pool's connections, so the next
     * connection opens the file again. At most once every 5 s.
     */
    private synchronized void reopenH2() {
        if (System.nanoTime() - lastReopen < 5_000_000_000L && lastReopen != 0) {
            return;
        }
        lastReopen = System.nanoTime();
        try (java.sql.Connection c = pool.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("SHUTDOWN IMMEDIATELY");
        } catch (java.sql.SQLException | RuntimeException closedAlready) {
            // the connection broke with the database: dropping the pool's connections below is what matters
        }
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    /** Whether a pooled connection answers within {@code timeout} (the health check). */
    public boolean isReachable(java.time.Duration timeout) {
        try (java.sql.Connection c = pool.getConnection()) {
            return c.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    public Dialect dialect() {
        return dialect;
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        pool.close();
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}

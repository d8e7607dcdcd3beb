package io.fleetkit.backend.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Keeps an embedded H2 file from growing without end. The store writes each commit to disk at once ({@code WRITE_DELAY=0},
 * see {@link Database#h2}), and H2 then runs none of its background housekeeping: every commit leaves a new chunk of
 * ~16 KB that is never rewritten — 20,000 single-row commits made a 327 MB file of 20,007 chunks, each 1% full, all their
 * metadata on the heap (the soak found it: ~5,600 chunks a minute at 1,667 messages/s). This does that housekeeping
 * instead, once a minute: it rewrites the chunks that are mostly empty, so their space is reused once H2's retention
 * time (45 s) has passed.
 *
 * <p>Through H2's engine classes (there is no SQL for online compaction); if they are not what this expects it says so
 * once and does nothing.
 */
final class H2Compaction {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);
    /** Chunks less full than this are rewritten. */
    private static final int TARGET_FILL_RATE = 90;
    /** At most this much rewritten per round, and a few rounds a minute: bounded work on the watchdog thread. */
    private static final int BYTES_PER_ROUND = 16 << 20;
    private static final int ROUNDS = 4;

    private final DataSource pool;
    private boolean unsupported;

    H2Compaction(DataSource pool) {
        this.pool = pool;
    }

    /** One pass; returns the chunks in the file afterwards, or -1 when the store could not be reached. */
    int run() {
        if (unsupported) {
            return -1;
        }
        try (Connection c = pool.getConnection()) {
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
            for (int i = 0; i < ROUNDS && store.compact(TARGET_FILL_RATE, BYTES_PER_ROUND); i++) {
                store.commit();
            }
            return chunks(c);
        } catch (ClassCastException | SQLException e) {
            if (e instanceof ClassCastException) {
                unsupported = true;
                LOG.warn("cannot compact the H2 store ({}): its file will grow with every commit", e.toString());
            }
            return -1; // not answering: the health check says so
        }
    }

    private static int chunks(Connection c) throws SQLException {
        try (var st = c.createStatement();
             var r = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNK_COUNT'")) {
            return r.next() ? Integer.parseInt(r.getString(1)) : -1;
        }
    }
}

package io.fleetkit.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The few JDBC moves the stores share: one statement on a pooled connection, errors as {@link StoreException}. */
final class Sql {
    private Sql() {
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Runs an INSERT/UPDATE/MERGE/DELETE; {@code what} completes "cannot …" in the error. */
    static int update(Database db, String what, String sql, Object... args) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + ": " + Database.rootMessage(e), e);
        }
    }

    /** A statement and its arguments, to run with others in one transaction ({@link #inTransaction}). */
    record Change(String sql, Object... args) {
    }

    /**
     * Runs the changes in order and saves the consumer's position after them (when given), in one transaction: all of it
     * or, with a {@link StoreException} saying "cannot {@code what}", none of it.
     */
    static void inTransaction(Database db, String what, List<Change> changes, ConsumerOffsets.Position upTo) {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Change change : changes) {
                    try (PreparedStatement ps = c.prepareStatement(change.sql())) {
                        bind(ps, change.args());
                        ps.executeUpdate();
                    }
                }
                if (upTo != null) {
                    ConsumerOffsets.save(c, upTo);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + ": " + Database.rootMessage(e), e);
        }
    }

    /** Work on one connection in one transaction. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction: committed when it returns, rolled back when it throws (rethrown; SQL errors as {@link StoreException}). */
    static <T> T transaction(Database db, String what, Work<T> work) {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + ": " + Database.rootMessage(e), e);
        }
    }

    /** One statement on {@code c}: the rows changed. */
    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** One query on {@code c}. */
    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        }
    }

    static <T> List<T> query(Database db, String what, String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = db.dataSource().getConnection()) {
            return query(c, sql, mapper, args);
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + ": " + Database.rootMessage(e), e);
        }
    }

    static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }

    static OffsetDateTime utc(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }
}

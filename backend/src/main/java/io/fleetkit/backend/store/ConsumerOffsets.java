package io.fleetkit.backend.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * Stream positions kept in the database beside what a consumer wrote, each saved in the transaction of the write it
 * follows. Then the rows and "how far" are one atomic fact: a database that comes back from a crash without its last
 * commits (H2 over a SIGKILL: {@code FaultInjectionIT} and a kill loop found it losing up to ~20 committed transactions)
 * comes back with the position that goes with the rows it kept, and the consumer is handed the rest again — where a
 * checkpoint kept apart from the rows (the stream's) would already be past them. Kafka's consumer documentation calls
 * this storing offsets outside Kafka.
 */
public final class ConsumerOffsets {
    private static final String SAVE = """
            MERGE INTO consumer_offsets o
            USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), CAST(? AS INTEGER), CAST(? AS BIGINT)))
                  AS v(consumer, stream, partition_no, next_offset)
            ON o.consumer = v.consumer AND o.stream = v.stream AND o.partition_no = v.partition_no
            WHEN MATCHED THEN UPDATE SET next_offset = v.next_offset
            WHEN NOT MATCHED THEN INSERT (consumer, stream, partition_no, next_offset)
                VALUES (v.consumer, v.stream, v.partition_no, v.next_offset)
            """;

    /**
     * A consumer's position in one partition of a stream.
     *
     * @param consumer the consumer (a processor's group), 1–64 characters
     * @param stream   the stream's name, 1–64 characters
     * @param next     the offset it resumes at: one after the last record whose effect is written
     */
    public record Position(String consumer, String stream, int partition, long next) {
        public Position {
            if (consumer == null || consumer.isEmpty() || consumer.length() > 64) {
                throw new IllegalArgumentException("consumer: 1–64 characters, was " + consumer);
            }
            if (stream == null || stream.isEmpty() || stream.length() > 64) {
                throw new IllegalArgumentException("stream: 1–64 characters, was " + stream);
            }
            if (partition < 0 || next < 0) {
                throw new IllegalArgumentException("partition and offset: not negative, were " + partition + " and " + next);
            }
        }
    }

    private final Database db;

    public ConsumerOffsets(Database db) {
        this.db = db;
    }

    /** Where {@code consumer} resumes in the partition, if it saved a position there. */
    public OptionalLong next(String consumer, String stream, int partition) {
        List<Long> next = Sql.query(db, "read the position of " + consumer + " in " + stream + " partition " + partition,
                "SELECT next_offset FROM consumer_offsets WHERE consumer = ? AND stream = ? AND partition_no = ?",
                rs -> rs.getLong(1), consumer, stream, partition);
        return next.isEmpty() ? OptionalLong.empty() : OptionalLong.of(next.get(0));
    }

    /** Saves the position on {@code c}, in its transaction (the caller commits). */
    static void save(Connection c, Position p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SAVE)) {
            ps.setString(1, p.consumer());
            ps.setString(2, p.stream());
            ps.setInt(3, p.partition());
            ps.setLong(4, p.next());
            ps.executeUpdate();
        }
    }
}

-- How far a stream consumer that writes here has got, written in the same transaction as what it wrote: a database that
-- loses its last commits in a crash (H2 does, over a SIGKILL) loses the matching offsets with them, and the consumer
-- resumes where its rows actually end instead of at the stream's own checkpoint.
CREATE TABLE consumer_offsets (
    consumer     VARCHAR(64) NOT NULL,
    stream       VARCHAR(64) NOT NULL,
    partition_no INTEGER     NOT NULL,
    next_offset  BIGINT      NOT NULL,
    PRIMARY KEY (consumer, stream, partition_no)
);

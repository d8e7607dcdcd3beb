package io.fleetkit.backend.stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The stream contract on the embedded file log. */
@Timeout(60)
class FileStreamContractTest extends StreamContract {
    @TempDir
    Path dir;

    @Override
    protected Stream create(int partitions) {
        return FileStream.open(dir.resolve("events"), "events", partitions, 1 << 20);
    }

    @Override
    protected Stream reopen(Stream closed) {
        return FileStream.open(dir.resolve("events"), "events", closed.partitions(), 1 << 20);
    }
}

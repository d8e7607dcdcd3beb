package io.fleetkit.backend.stream;

import io.fleetkit.protocol.pki.PrivateFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file stream's consumer-group checkpoints: one small file per group and partition
 * ({@code checkpoints/{group}.p{n}}, the next offset in ASCII), replaced atomically (written beside,
 * then renamed), owner-only. Thread-safe (each write goes through its own temporary file per group
 * and partition, which one worker owns).
 */
final class FileCheckpoints {
    private final Path dir;

    FileCheckpoints(Path dir) throws IOException {
        this.dir = dir;
        PrivateFiles.createDirectories(dir);
    }

    void commit(String group, int partition, long offset) {
        Path file = file(group, partition);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = PrivateFiles.openReadWrite(tmp)) {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(Long.toString(offset).getBytes(StandardCharsets.US_ASCII)));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    long committed(String group, int partition) {
        Path file = file(group, partition);
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private Path file(String group, int partition) {
        if (!group.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("group: 1–64 letters, digits, '_', '.' or '-', was '" + group + "'");
        }
        return dir.resolve(group + ".p" + partition);
    }
}

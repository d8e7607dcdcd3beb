package io.fleetkit.backend.capture;

import io.fleetkit.protocol.pki.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Capture files in a folder: each written as {@code ….avro.tmp} and renamed (atomically) when committed. */
public final class FileCaptureStore implements CaptureStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileCaptureStore.class);
    private final Path root;

    public FileCaptureStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    @Override
    public void prepare(String partitionPath) throws IOException {
        Path dir = root.resolve(partitionPath);
        PrivateFiles.createDirectories(dir);
        try (var walk = Files.walk(dir)) {
            for (Path leftover : walk.filter(f -> f.toString().endsWith(".avro.tmp")).toList()) {
                LOG.warn("capture: removing the unfinished {} (its records are captured again)", leftover);
                Files.delete(leftover);
            }
        }
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(root.resolve(name));
    }

    @Override
    public CaptureFile create(String name) throws IOException {
        Path target = root.resolve(name);
        PrivateFiles.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        FileChannel channel = PrivateFiles.openReadWrite(tmp);
        channel.truncate(0);
        OutputStream out = Channels.newOutputStream(channel);
        return new CaptureFile() {
            @Override
            public OutputStream out() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                out.close();
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }

            @Override
            public void abandon() {
                try {
                    out.close();
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the .tmp is removed on the next start
                }
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Override
    public String describe() {
        return root.toString();
    }
}

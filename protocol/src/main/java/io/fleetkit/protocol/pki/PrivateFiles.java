package io.fleetkit.protocol.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

/**
 * Files and directories only their owner may read: private keys, the dev token issuer's key, and the
 * data a backend keeps (stream segments, checkpoints, capture archives, the H2 database). Nothing is
 * ever written through a symbolic link planted at a path: a link is refused, never followed. On a file
 * system without POSIX permissions the directory's own protection is what applies.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /**
     * Writes {@code text} to {@code file}, owner-only from its first byte (no window where it is world-readable). An
     * existing file is replaced whole: the text goes to a new file beside it, which is then renamed over it.
     *
     * @throws FileSystemException when {@code file} is a symbolic link (or the rename would go through one)
     */
    public static void write(Path file, String text) throws IOException {
        refuseLink(file);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp); // a leftover of a crash (deleting a link removes the link, not its target)
        try (SeekableByteChannel ch = Files.newByteChannel(tmp, createNew(), fileAttributes(tmp))) {
            ch.write(ByteBuffer.wrap(bytes));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE); // replaces a link, never follows it
    }

    /** Creates {@code dir} and any missing parents, each new one owner-only; an existing {@code dir} is restricted. */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            Path parent = absolute.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                createDirectories(parent);
            }
            try {
                Files.createDirectory(absolute, directoryAttributes(absolute));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made meanwhile by another thread: restricted below
            }
        }
        if (Files.isSymbolicLink(absolute)) {
            throw new FileSystemException(dir.toString(), null, "is a symbolic link; refusing to keep private data through it");
        }
        if (posix(absolute)) {
            Files.setPosixFilePermissions(absolute, DIRECTORY);
        }
        return dir;
    }

    /**
     * Opens {@code file} for reading and writing, creating it owner-only if missing; a symbolic link at the path is
     * refused, not followed.
     */
    public static FileChannel openReadWrite(Path file) throws IOException {
        refuseLink(file); // a clear reason; NOFOLLOW_LINKS below still refuses a link planted after this check
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
        return FileChannel.open(file, options, fileAttributes(file));
    }

    /** Makes an existing file owner-only (files another library created, e.g. the H2 database). */
    public static void restrict(Path file) throws IOException {
        if (posix(file) && Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    private static void refuseLink(Path file) throws FileSystemException {
        if (Files.isSymbolicLink(file)) {
            throw new FileSystemException(file.toString(), null, "is a symbolic link; refusing to write private data through it");
        }
    }

    private static Set<OpenOption> createNew() {
        return Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    private static FileAttribute<?>[] fileAttributes(Path file) {
        return posix(file) ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    private static FileAttribute<?>[] directoryAttributes(Path dir) {
        return posix(dir) ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(DIRECTORY)} : new FileAttribute<?>[0];
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}

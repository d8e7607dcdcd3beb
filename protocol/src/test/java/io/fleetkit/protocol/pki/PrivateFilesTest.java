package io.fleetkit.protocol.pki;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aPrivateKeyIsNeverWrittenThroughASymbolicLinkPlantedAtItsPath() throws Exception {
        Path elsewhere = Files.writeString(tmp.resolve("world-readable.txt"), "innocent");
        Path key = tmp.resolve("device.key");
        Files.createSymbolicLink(key, elsewhere);
        assertThatThrownBy(() -> PrivateFiles.write(key, "-----BEGIN PRIVATE KEY-----"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("symbolic link");
        assertThat(Files.readString(elsewhere)).as("the link's target is untouched").isEqualTo("innocent");
    }

    @Test
    void writesAreOwnerOnlyFromTheFirstByteAndReplaceWhatWasThere() throws Exception {
        Path file = tmp.resolve("secret");
        PrivateFiles.write(file, "one");
        PrivateFiles.write(file, "two");
        assertThat(Files.readString(file)).isEqualTo("two");
        assertThat(Files.exists(tmp.resolve("secret.new"))).isFalse();
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            Path dir = PrivateFiles.createDirectories(tmp.resolve("a/b"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a")))).isEqualTo("rwx------");
        }
    }

    @Test
    void aChannelIsNotOpenedThroughALink() throws Exception {
        Path target = Files.writeString(tmp.resolve("target"), "x");
        Path link = Files.createSymbolicLink(tmp.resolve("segment.log"), target);
        assertThatThrownBy(() -> PrivateFiles.openReadWrite(link)).isInstanceOf(FileSystemException.class);
    }
}

package io.fleetkit.hil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A pseudo-terminal pair made by socat: what a USB serial adapter looks like to both ends. */
final class Socat implements AutoCloseable {
    final Path bridgeEnd;
    final Path deviceEnd;
    private Process process;

    Socat(Path dir) {
        this.bridgeEnd = dir.resolve("tty-bridge");
        this.deviceEnd = dir.resolve("tty-device");
    }

    Socat start() throws IOException, InterruptedException {
        process = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + bridgeEnd, "pty,raw,echo=0,link=" + deviceEnd)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process started = process;
        LinkIT.await("socat makes the pseudo-terminals " + bridgeEnd + " and " + deviceEnd,
                () -> (Files.exists(bridgeEnd) && Files.exists(deviceEnd)) || !started.isAlive());
        if (!started.isAlive()) {
            throw new IllegalStateException("socat exited (" + started.exitValue() + ") without making " + bridgeEnd + " and " + deviceEnd);
        }
        return this;
    }

    /** Pulls the plug: both terminals vanish. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

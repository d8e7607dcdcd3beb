package io.fleetkit.backend.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend in a JVM of its own ({@link BackendMain}), for tests that kill it or give it a heap of its own: started on free
 * ports, its standard error in a file; {@link #close} kills it (SIGKILL, no shutdown hook runs).
 *
 * @param process  the JVM
 * @param hubPort  its MQTT port (hub and DPS)
 * @param httpPort its REST port
 */
public record BackendProcess(Process process, int hubPort, int httpPort) implements AutoCloseable {

    /**
     * @param jvmOptions e.g. {@code -Xmx256m}
     * @param args       after the PKI and data directories, {@link BackendMain}'s optional arguments
     */
    public static BackendProcess start(Path pki, Path data, Path stderr, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BackendMain.class.getName(), pki.toString(), data.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            p.destroyForcibly();
        }
        assertThat(ready).as("backend process output (stderr in %s)", stderr).startsWith("ready ");
        String[] ports = ready.split(" ");
        return new BackendProcess(p, Integer.parseInt(ports[1]), Integer.parseInt(ports[2]));
    }

    /** Kills it at once and waits for it to be gone. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}

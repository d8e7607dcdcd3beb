package io.fleetkit.backend.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker of a test's own ({@code scripts/kafka/run} on free ports, its data in a directory of the test's), for tests
 * that stop and restart the broker — never the shared test broker ({@link TestKafka}), which other tests use.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path script;
    private final Path data;
    private final int port;

    private KafkaBroker(Path script, Path data, int port) {
        this.script = script;
        this.data = data;
        this.port = port;
    }

    /** Formats a broker in {@code data} and starts it on a free port pair (broker, controller). */
    public static KafkaBroker start(Path data) throws IOException, InterruptedException {
        KafkaBroker broker = new KafkaBroker(script(), data, freePortPair());
        broker.start();
        return broker;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts it again on the same port and data (after {@link #stop}); returns once it takes connections. */
    public void start() throws IOException, InterruptedException {
        run("--background");
    }

    /** Stops it (SIGTERM: a clean shutdown) and waits until it is gone. */
    public void stop() throws IOException, InterruptedException {
        run("--stop");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }

    private void run(String mode) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("bash", script.toString(), "--data", data.toString(), "--port", Integer.toString(port), mode))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling(data.getFileName() + ".out").toFile()))
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("scripts/kafka/run " + mode + " failed; see " + data.resolveSibling(data.getFileName() + ".out"));
        }
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path s = dir.resolve("scripts/kafka/run");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException("scripts/kafka/run not found above " + Path.of("").toAbsolutePath());
    }

    /** A port whose next one is free too (the script puts the controller there). */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = s.getLocalPort();
            }
            if (port < 65534 && free(port) && free(port + 1)) {
                return port;
            }
        }
        throw new IOException("no two free consecutive ports on 127.0.0.1");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package io.fleetkit.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A system under test in its own process: started by the run, stopped by it, measured from the
 * outside (CPU time and resident memory from {@code /proc}). JVM servers also answer a line
 * protocol on standard input/output ({@code READY <port>} once listening; {@code heap},
 * {@code threads}, {@code quit} and their own commands); a process without it (Mosquitto) is
 * ready when its port accepts connections. Standard error goes to a log file beside the results.
 */
final class ServerProcess implements AutoCloseable {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux for every architecture we run on

    private final String name;
    private final Process process;
    private final Path log;
    private final BufferedReader replies;
    private final PrintWriter commands;
    private final boolean controlled;

    private ServerProcess(String name, Process process, Path log, boolean controlled) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.controlled = controlled;
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Starts a server that speaks the line protocol and waits for its {@code READY}. */
    static ServerProcess startControlled(String name, List<String> command, Path log, Duration timeout) {
        ServerProcess p = start(name, command, log, true);
        try {
            p.expect("READY", timeout);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** Starts a server without a control channel and waits until {@code port} on 127.0.0.1 accepts connections. */
    static ServerProcess startListening(String name, List<String> command, Path log, int port, Duration timeout) {
        ServerProcess p = start(name, command, log, false);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException notYet) {
                if (!p.process.isAlive() || System.nanoTime() > deadline) {
                    p.close();
                    throw new IllegalStateException(name + " did not start listening on 127.0.0.1:" + port
                            + (p.process.isAlive() ? " within " + timeout.toSeconds() + " s" : " (it exited)") + "; see " + log);
                }
                sleepQuietly(100);
            }
        }
    }

    private static ServerProcess start(String name, List<String> command, Path log, boolean controlled) {
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectOutput(controlled ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ServerProcess(name, process, log, controlled);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** Sends a command and returns the value of its reply line {@code <REPLY> <value>}. */
    String ask(String command, String reply) {
        if (!controlled) {
            throw new IllegalStateException(name + " has no control channel");
        }
        commands.println(command);
        return expect(reply, Duration.ofMinutes(2));
    }

    /** Used heap after a full GC, in bytes (JVM servers only). */
    long heapAfterGc() {
        return Long.parseLong(ask("heap", "HEAP"));
    }

    int threads() {
        return controlled ? Integer.parseInt(ask("threads", "THREADS")) : threadsOf(process.pid());
    }

    /** File descriptors the process holds now (/proc/PID/fd). */
    int descriptors() {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + process.pid() + "/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the descriptors of " + name + " (/proc/" + process.pid() + "/fd): " + e.getMessage(), e);
        }
    }

    /** Resident set size now, in bytes. */
    long residentBytes() {
        return residentBytesOf(process.pid());
    }

    /** User + system CPU time the process has used so far, in seconds. */
    double cpuSeconds() {
        return cpuSecondsOf(process.pid());
    }

    static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid + ": " + e.getMessage(), e);
        }
    }

    static long residentBytesOf(long pid) {
        return statusField(pid, "VmRSS:") * 1024;
    }

    static int threadsOf(long pid) {
        return (int) statusField(pid, "Threads:");
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException("/proc/" + pid + "/status has no " + field);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
        }
    }

    /** TCP connections in state ESTABLISHED whose local port is {@code port} (a server's side of its connections), from /proc/net/tcp. */
    static int establishedTo(int port) {
        String hexPort = String.format(":%04X", port);
        try {
            return (int) Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1).map(String::trim)
                    .map(l -> l.split("\\s+"))
                    .filter(f -> f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("01"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/net/tcp: " + e.getMessage(), e);
        }
    }

    /** Waits (up to a minute) until no connection to {@code port} is open, then a moment for the server to let go of them. */
    static void awaitClosed(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (establishedTo(port) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
        }
    }

    private String expect(String prefix, Duration timeout) {
        // readLine blocks; a watchdog kills a server that hangs instead of answering
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                process.destroyForcibly();
            } catch (InterruptedException answered) {
                // the normal case
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            String line;
            while ((line = replies.readLine()) != null) {
                if (line.startsWith(prefix + " ")) {
                    return line.substring(prefix.length() + 1).trim();
                }
                if (line.startsWith("ERROR ")) {
                    throw new IllegalStateException(name + ": " + line.substring(6));
                }
            }
            throw new IllegalStateException(name + " exited before answering '" + prefix + "'; see " + log);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        } finally {
            watchdog.interrupt();
        }
    }

    /** SIGKILL: no shutdown hook, no flush; waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (controlled && process.isAlive()) {
            commands.println("quit");
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

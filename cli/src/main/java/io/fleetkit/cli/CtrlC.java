package io.fleetkit.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a command that runs until told to stop: the JVM's shutdown hook asks the command to stop ({@code onStop}) and
 * keeps the JVM alive, up to {@code grace}, until the command has finished cleanly ({@link #close()}) — its summary
 * printed, its files closed.
 */
final class CtrlC implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private CtrlC(String name, Duration grace, Runnable onStop) {
        this.hook = new Thread(() -> {
            onStop.run();
            try {
                finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static CtrlC install(String name, Duration grace, Runnable onStop) {
        return new CtrlC(name, grace, onStop);
    }

    /** The command has finished: the hook lets the JVM go, and is removed when the JVM is not already on its way out. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the JVM is on its way out, after this
        }
    }
}

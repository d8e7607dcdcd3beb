package io.fleetkit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What the interactive commands (device, hil) share: reading commands from a script or the terminal. */
final class Scripts {
    private Scripts() {
    }

    /** One command line; false to stop. */
    @FunctionalInterface
    interface Command {
        boolean run(String line) throws IOException, InterruptedException;
    }

    /** Feeds every non-blank, non-comment line of {@code script} (or the terminal, when null) to {@code command}. */
    static void run(Path script, Command command) throws IOException, InterruptedException {
        try (Reader r = script != null ? Files.newBufferedReader(script, StandardCharsets.UTF_8)
                : new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
            BufferedReader lines = new BufferedReader(r);
            String line;
            while ((line = lines.readLine()) != null) {
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (!command.run(trimmed)) {
                    return;
                }
            }
        }
    }

    /** The duration at {@code words[index]}, e.g. of "wait 5s". */
    static Duration duration(String[] words, int index) {
        if (words.length <= index) {
            throw new IllegalArgumentException("'" + words[0] + "' needs a duration, e.g. 5s");
        }
        return new DurationConverter().convert(words[index]);
    }

    /**
     * The script command {@code await online 30s}: returns once {@code online} holds, checking every 50 ms, or fails naming
     * the time and what {@code state} says then.
     */
    static void awaitOnline(String[] words, java.util.function.BooleanSupplier online, java.util.function.Supplier<String> state)
            throws InterruptedException {
        if (words.length < 2 || !words[1].equals("online")) {
            throw new IllegalArgumentException("'await' knows 'await online 30s'");
        }
        long deadline = System.nanoTime() + duration(words, 2).toNanos();
        while (!online.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the device was not online within " + words[2] + " (" + state.get() + ")");
            }
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}

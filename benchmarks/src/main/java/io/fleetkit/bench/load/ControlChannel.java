package io.fleetkit.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server side of the bench's line protocol ({@link ServerProcess} is the other): standard output
 * carries only {@code READY <value>} and one answer line per command read from standard input; the
 * process's own output goes to standard error. Every server answers {@code heap} (used heap after a
 * full GC) and {@code threads}; {@code quit} (or the end of input) returns.
 */
final class ControlChannel {
    /** A command's answer: the value after its reply word. */
    interface Command {
        String answer(String[] args) throws Exception;
    }

    private final PrintStream out;
    private final Map<String, String> replies = new LinkedHashMap<>();
    private final Map<String, Command> commands = new LinkedHashMap<>();

    /** Takes standard output for the protocol and sends everything else printed there to standard error. */
    ControlChannel() {
        this.out = System.out;
        System.setOut(System.err);
        on("heap", "HEAP", a -> Long.toString(LoadRun.heapAfterGc()));
        on("threads", "THREADS", a -> Integer.toString(Thread.activeCount()));
    }

    /** {@code name args…} is answered {@code REPLY <answer>}. */
    ControlChannel on(String name, String reply, Command command) {
        replies.put(name, reply);
        commands.put(name, command);
        return this;
    }

    /** Says {@code READY <value>}, then answers commands until {@code quit} or the end of input. */
    void serve(String readyValue) throws IOException {
        out.println("READY " + readyValue);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
            String[] words = line.trim().split(" ");
            Command c = commands.get(words[0]);
            if (c == null) {
                out.println("ERROR unknown command '" + line + "' (" + String.join(", ", commands.keySet()) + ", quit)");
            } else {
                try {
                    out.println(replies.get(words[0]) + " " + c.answer(words));
                } catch (Exception e) {
                    out.println("ERROR " + words[0] + ": " + e);
                }
            }
            out.flush();
        }
    }
}

package io.fleetkit.hil.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.testport.Frame;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HexFormat;

/**
 * Every frame of a link, both ways, with its time, one JSON object per line (so a recording cut
 * short by a crash is readable up to its last line):
 * <pre>
 * {"t":"2026-11-26T21:00:00.123Z","dir":"device","type":"TELEMETRY","frame":"0a02…00"}
 * {"t":"…","dir":"bridge","type":"METHOD_REQUEST","frame":"…"}
 * {"t":"…","dir":"device","corrupt":"CRC mismatch: …","bytes":17}
 * </pre>
 * {@code dir} says who sent it; {@code frame} is the frame exactly as on the wire (COBS, CRC, delimiter).
 */
public final class FrameRecorder implements AutoCloseable {
    /** Who sent a frame. */
    public enum From { DEVICE, BRIDGE }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;
    private final Clock clock;
    private final Path file;

    public FrameRecorder(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            // a new file each time: two sessions in one recording would replay as one
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException("the recording " + file + " already exists; name another file or delete it");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public void frame(From from, Frame frame) {
        ObjectNode line = start(from).put("type", frame.type().name()).put("frame", HexFormat.of().formatHex(frame.encode()));
        write(line);
    }

    public void corrupt(From from, String reason, int bytes) {
        write(start(from).put("corrupt", reason).put("bytes", bytes));
    }

    private ObjectNode start(From from) {
        return JSON.createObjectNode().put("t", clock.instant().toString()).put("dir", from.name().toLowerCase());
    }

    private synchronized void write(ObjectNode line) {
        try {
            out.write(line.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the recording " + file + ": " + e.getMessage(), e);
        }
    }
}

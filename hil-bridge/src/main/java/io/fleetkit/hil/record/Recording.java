package io.fleetkit.hil.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.testport.Frame;
import io.fleetkit.protocol.testport.FrameDecoder;
import io.fleetkit.protocol.testport.TestPortCodec;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** A recording read back: its entries in order, each frame decoded again. */
public record Recording(Path file, List<Entry> entries) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One line. {@code frame} and {@code message} are empty for a corrupt block; {@code message}
     * is empty when the frame no longer decodes (it is reported in {@code problem}).
     */
    public record Entry(Instant time, FrameRecorder.From from, Optional<Frame> frame, Optional<TestPortMessage> message,
                        Optional<String> problem) {
    }

    /** @throws IllegalArgumentException naming the file and line of anything unreadable */
    public static Recording read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such recording");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            try {
                entries.add(entry(JSON.readTree(line), where));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not a JSON object: " + e.getMessage());
            }
        }
        return new Recording(file, List.copyOf(entries));
    }

    private static Entry entry(JsonNode n, String where) {
        Instant t;
        FrameRecorder.From from;
        try {
            t = Instant.parse(n.path("t").asText());
            from = FrameRecorder.From.valueOf(n.path("dir").asText().toUpperCase());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": needs \"t\" (an ISO-8601 instant) and \"dir\" (device or bridge)");
        }
        if (n.has("corrupt")) {
            return new Entry(t, from, Optional.empty(), Optional.empty(), Optional.of(n.get("corrupt").asText()));
        }
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(n.path("frame").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": \"frame\" is not hexadecimal");
        }
        List<FrameDecoder.Result> results = new ArrayList<>();
        new FrameDecoder().feed(bytes, 0, bytes.length, results::add);
        if (results.size() != 1 || !(results.get(0) instanceof FrameDecoder.Result.Ok ok)) {
            String why = results.isEmpty() ? "no frame (missing delimiter)" : results.get(0) instanceof FrameDecoder.Result.Corrupt c ? c.reason() : "several frames";
            throw new IllegalArgumentException(where + ": the frame does not decode: " + why);
        }
        try {
            return new Entry(t, from, Optional.of(ok.frame()), Optional.of(TestPortCodec.fromFrame(ok.frame())), Optional.empty());
        } catch (ProtocolException e) {
            return new Entry(t, from, Optional.of(ok.frame()), Optional.empty(), Optional.of(e.getMessage()));
        }
    }
}

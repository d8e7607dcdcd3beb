package io.fleetkit.firmware.swarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.firmware.NonVolatileState;
import io.fleetkit.firmware.netty.NettyDevice;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.DeviceId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A swarm's flash kept between runs, as real devices keep theirs: each device's assigned hub,
 * telemetry interval and next sequence number, by device id, in one JSON file. Without it every run
 * starts from the factory, so sequence numbers start again at 1 and a store that already holds them
 * (it de-duplicates by device and sequence number) would drop the new run's first messages.
 */
public final class SwarmFlash {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwarmFlash() {
    }

    /**
     * The devices' flash from {@code file}; empty when the file does not exist.
     *
     * @throws IllegalArgumentException naming the file, the device and what is wrong
     */
    public static Map<DeviceId, NonVolatileState> read(Path file) {
        if (!Files.exists(file)) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage() + "; delete it to start the devices from the factory");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " must hold a JSON object of device id → flash; delete it to start from the factory");
        }
        Map<DeviceId, NonVolatileState> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            try {
                if (!v.path("telemetryInterval").isInt() || !v.path("nextSeq").canConvertToLong() || !v.path("nextSeq").isIntegralNumber()) {
                    throw new IllegalArgumentException("telemetryInterval and nextSeq must be integers");
                }
                JsonNode hub = v.path("assignedHub");
                if (!hub.isMissingNode() && !hub.isNull() && !hub.isTextual()) {
                    throw new IllegalArgumentException("assignedHub must be a string or null");
                }
                out.put(DeviceId.of(e.getKey()), new NonVolatileState(hub.isTextual() ? Optional.of(hub.asText()) : Optional.empty(),
                        v.get("telemetryInterval").asInt(), v.get("nextSeq").asLong()));
            } catch (IllegalArgumentException | ProtocolException bad) {
                throw new IllegalArgumentException(file + " at '" + e.getKey() + "': " + bad.getMessage());
            }
        }
        return out;
    }

    /** Writes the devices' flash as it is now, replacing {@code file} whole (never half-written). */
    public static void write(Path file, List<NettyDevice> devices) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        for (NettyDevice d : devices) {
            NonVolatileState nv = d.flash();
            ObjectNode n = root.putObject(d.firmware().deviceId().value());
            n.put("assignedHub", nv.assignedHub().orElse(null)).put("telemetryInterval", nv.telemetryInterval()).put("nextSeq", nv.nextSeq());
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

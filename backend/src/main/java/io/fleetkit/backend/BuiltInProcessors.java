package io.fleetkit.backend;

import io.fleetkit.backend.capture.Capture;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.ownership.ClaimService;
import io.fleetkit.backend.latency.StageTimings;
import io.fleetkit.backend.processing.DecodedMessages;
import io.fleetkit.backend.processing.DeviceStateHandler;
import io.fleetkit.backend.processing.OwnershipHandler;
import io.fleetkit.backend.processing.StreamProcessor;
import io.fleetkit.backend.processing.TelemetryStoreHandler;
import io.fleetkit.backend.store.ConsumerOffsets;
import io.fleetkit.backend.store.Database;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.backend.store.TelemetryStore;
import io.fleetkit.backend.stream.Stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The backend's own consumers of its streams: the store, device state and ownership processors, and capture. */
final class BuiltInProcessors {
    private BuiltInProcessors() {
    }

    /**
     * Starts the built-in processors on the endpoints there are, into {@code processors} (and {@code started}, to close), each
     * with its stream's shared decodes from {@code decodes}.
     */
    static void start(Map<String, Stream> streams, Database db, TelemetryStore telemetry, DeviceStateStore devices, ClaimService claims,
                      StageTimings timings, Map<String, DecodedMessages> decodes, Map<String, StreamProcessor> processors,
                      List<AutoCloseable> started) {
        if (streams.containsKey("telemetry")) {
            started.add(processors.computeIfAbsent("store",
                    g -> StreamProcessor.start(streams.get("telemetry"), g, new TelemetryStoreHandler(telemetry, new ConsumerOffsets(db), g),
                            StreamProcessor.BATCH_SIZE, timings, decodes.get("telemetry"))));
        }
        if (streams.containsKey("lifecycle")) {
            started.add(processors.computeIfAbsent("device-state",
                    g -> StreamProcessor.start(streams.get("lifecycle"), g, new DeviceStateHandler(devices, new ConsumerOffsets(db), g),
                            StreamProcessor.BATCH_SIZE, timings, decodes.get("lifecycle"))));
            started.add(processors.computeIfAbsent("ownership",
                    g -> StreamProcessor.start(streams.get("lifecycle"), g, new OwnershipHandler(claims), StreamProcessor.BATCH_SIZE, timings,
                            decodes.get("lifecycle"))));
        }
    }

    /** Starts capture of each configured endpoint's stream. */
    static List<Capture> captures(Map<String, Stream> streams, Map<String, CaptureConfig> configs, List<AutoCloseable> started) {
        List<Capture> capturing = new ArrayList<>();
        for (Map.Entry<String, CaptureConfig> c : configs.entrySet()) {
            Stream stream = streams.get(c.getKey());
            if (stream == null) {
                throw new IllegalArgumentException("capture: no endpoint '" + c.getKey() + "'; the routes have " + streams.keySet());
            }
            Capture capture = Capture.start(stream, c.getValue());
            started.add(capture);
            capturing.add(capture);
        }
        return capturing;
    }
}

package io.fleetkit.backend.capture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Capture of one endpoint: where files go (a {@link CaptureStore}: a folder or a blob container, in which they are named
 * {@code {namespace}/{hub}/{partition}/yyyy/MM/dd/HH/mm/ss.avro}),
 * when a file is closed (its time window has passed, or it reached {@code maxBytes}), and the
 * allow-lists: only the scalar values at these JSON body paths ({@code seq}, {@code readings.temperature},
 * {@code readings.*}) and these application properties are archived, so that nothing personal (owner ids, e-mail
 * addresses, names) is.
 */
public record CaptureConfig(CaptureStore store, String namespace, String hub, Duration window, long maxBytes,
                            Set<String> bodyFields, Set<String> properties) {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    public CaptureConfig {
        Objects.requireNonNull(store, "store");
        if (namespace == null || !namespace.matches(NAME)) {
            throw new IllegalArgumentException("capture namespace: 1–64 letters, digits, '_', '.', '-', was '" + namespace + "'");
        }
        if (hub == null || !hub.matches(NAME)) {
            throw new IllegalArgumentException("capture hub: 1–64 letters, digits, '_', '.', '-', was '" + hub + "'");
        }
        if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("capture window: at least 1 s, was " + window);
        }
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("capture size: at least 1024 bytes, was " + maxBytes);
        }
        bodyFields = Set.copyOf(bodyFields);
        bodyFields.forEach(CaptureFilter::validPath);
        properties = Set.copyOf(properties);
    }

    /** Capture into a folder ({@link FileCaptureStore}). */
    public CaptureConfig(Path root, String namespace, String hub, Duration window, long maxBytes, Set<String> bodyFields,
                         Set<String> properties) {
        this(new FileCaptureStore(root), namespace, hub, window, maxBytes, bodyFields, properties);
    }
}

package io.fleetkit.cli;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.capture.BlobCaptureStore;
import io.fleetkit.backend.capture.CaptureConfig;
import io.fleetkit.backend.capture.CaptureStore;
import io.fleetkit.backend.capture.FileCaptureStore;
import io.fleetkit.protocol.FleetkitException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Whether and where {@code fleetkit serve} archives telemetry: Avro files in a folder under --data, or in a blob container. */
final class CaptureOptions {
    /** fleetkit's own variable first, then the one Azure's tools read. */
    static final List<String> CONNECTION_ENV = List.of("FLEETKIT_CAPTURE_CONNECTION_STRING", "AZURE_STORAGE_CONNECTION_STRING");

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    enum Target { file, blob }

    @Option(names = "--capture", paramLabel = "STORE", arity = "0..1", fallbackValue = "file",
            description = "archive telemetry as Avro files in the Event Hubs Capture layout: file (under DIR/capture of --data;"
                    + " the default when no STORE is given) or blob (an Azure Blob Storage / Data Lake Storage Gen2 container:"
                    + " --capture-url, the account's connection string from " + "FLEETKIT_CAPTURE_CONNECTION_STRING or"
                    + " AZURE_STORAGE_CONNECTION_STRING, or a SAS token in the URL)")
    Target target;

    @Option(names = "--capture-url", paramLabel = "URL",
            description = "with --capture blob: the container, e.g. https://ACCOUNT.blob.core.windows.net/capture (created if missing)")
    String url;

    @Option(names = "--capture-window", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "1m",
            description = "with --capture: a file is closed (committed) this long after its first message, e.g. 1m or 5m"
                    + " (Event Hubs Capture allows 1 to 15 minutes; default: ${DEFAULT-VALUE})")
    Duration window;

    @Option(names = "--capture-fields", paramLabel = "PATHS", split = ",",
            description = "with --capture, the telemetry body paths archived, scalars only (default: v,type,seq,ts,readings.* — "
                    + "name readings one by one, e.g. readings.temperature, if a reading could hold personal data)")
    List<String> fields;

    /** The capture asked for, its store opened (a container reached and created); null without --capture. */
    CaptureConfig config(Path data) {
        CommandLine cli = spec.commandLine();
        if (target == null) {
            if (url != null || fields != null) {
                throw new CommandLine.ParameterException(cli, "--capture-url and --capture-fields need --capture");
            }
            return null;
        }
        if (target == Target.file && url != null) {
            throw new CommandLine.ParameterException(cli, "--capture-url needs --capture blob (files go under " + data.resolve("capture") + ")");
        }
        CaptureStore store = target == Target.file ? new FileCaptureStore(data.resolve("capture")) : blob(cli);
        try {
            return new CaptureConfig(store, "fleetkit", "local", window, 64L << 20,
                    fields == null ? Backend.CAPTURED_BODY_FIELDS : Set.copyOf(fields), Set.of());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, (e.getMessage().startsWith("capture window") ? "--capture-window: "
                    : "--capture-fields: ") + e.getMessage());
        }
    }

    private CaptureStore blob(CommandLine cli) {
        if (url == null) {
            throw new CommandLine.ParameterException(cli, "--capture blob needs --capture-url https://ACCOUNT.blob.core.windows.net/CONTAINER");
        }
        String connection = CONNECTION_ENV.stream().map(System::getenv).filter(v -> v != null && !v.isBlank()).findFirst().orElse(null);
        try {
            return BlobCaptureStore.connect(url, connection);
        } catch (FleetkitException e) {
            if (e.isClientFault()) {
                throw new CommandLine.ParameterException(cli, "--capture-url: " + e.getMessage()
                        + (e.getMessage().contains("no credential") ? " (" + String.join(" or ", CONNECTION_ENV) + ")" : ""));
            }
            throw e;
        }
    }
}

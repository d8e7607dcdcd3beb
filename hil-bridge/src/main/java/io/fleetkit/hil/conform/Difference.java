package io.fleetkit.hil.conform;

import java.util.Objects;

/**
 * One way the device under test and the reference disagree.
 *
 * @param line      the scenario line, or 0 for the run as a whole
 * @param kind      hello, missing, extra, schema, method-status, method-payload, timing
 * @param subject   what is compared, e.g. "identify", "telemetry /readings/humidity"
 * @param device    what the device did ("—" for nothing)
 * @param reference what the reference did
 */
public record Difference(int line, String kind, String subject, String device, String reference) {
    public static final String NOTHING = "—";

    public Difference {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(reference, "reference");
    }

    public String describe() {
        return (line > 0 ? "line " + line + ": " : "run: ") + kind + " " + subject + ": device " + device + ", reference " + reference;
    }
}

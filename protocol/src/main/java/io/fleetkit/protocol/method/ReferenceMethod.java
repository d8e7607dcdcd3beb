package io.fleetkit.protocol.method;

import io.fleetkit.protocol.id.MethodName;

import java.util.Optional;

/** The direct methods of fleetkit's reference device firmware. */
public enum ReferenceMethod {
    /** Restart after an optional delay. */
    REBOOT("reboot"),
    /** Change how often telemetry is sent. */
    SET_TELEMETRY_INTERVAL("setTelemetryInterval"),
    /** Blink the LED so a person can find the device. */
    IDENTIFY("identify"),
    /** Report firmware, uptime, memory, signal and counters. */
    GET_DIAGNOSTICS("getDiagnostics"),
    /** Open an ownership-claim window: a button press in it sends a signed presence message. */
    START_CLAIM("startClaim"),
    /** Erase settings and the cached hub assignment, then reboot into provisioning. */
    FACTORY_RESET("factoryReset");

    private final MethodName methodName;

    ReferenceMethod(String name) {
        this.methodName = MethodName.of(name);
    }

    public MethodName methodName() {
        return methodName;
    }

    public static Optional<ReferenceMethod> of(MethodName name) {
        for (ReferenceMethod m : values()) {
            if (m.methodName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}

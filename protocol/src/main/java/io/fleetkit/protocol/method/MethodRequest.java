package io.fleetkit.protocol.method;

/**
 * The payload of a call to one of the {@link ReferenceMethod}s. A call may arrive with an empty
 * or {@code null} payload; methods whose members are all optional read it as {@code {}}.
 */
public sealed interface MethodRequest {
    ReferenceMethod method();

    /** @param delaySeconds 0–3600, default 0 */
    record Reboot(int delaySeconds) implements MethodRequest {
        public Reboot {
            MethodContracts.checkRange("delaySeconds", delaySeconds, 0, 3600);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.REBOOT;
        }
    }

    /** @param intervalSeconds 1–86400 */
    record SetTelemetryInterval(int intervalSeconds) implements MethodRequest {
        public SetTelemetryInterval {
            MethodContracts.checkRange("intervalSeconds", intervalSeconds, 1, 86_400);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.SET_TELEMETRY_INTERVAL;
        }
    }

    /** @param durationSeconds 1–300, default 10 */
    record Identify(int durationSeconds) implements MethodRequest {
        public Identify {
            MethodContracts.checkRange("durationSeconds", durationSeconds, 1, 300);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.IDENTIFY;
        }
    }

    /** No members. */
    record GetDiagnostics() implements MethodRequest {
        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.GET_DIAGNOSTICS;
        }
    }

    /**
     * @param nonce         16–128 base64url characters, echoed in the presence message
     * @param windowSeconds how long the button press is awaited, 10–600, default 60
     */
    record StartClaim(String nonce, int windowSeconds) implements MethodRequest {
        public StartClaim {
            io.fleetkit.protocol.message.Presence.checkNonce(nonce);
            MethodContracts.checkRange("windowSeconds", windowSeconds, 10, 600);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.START_CLAIM;
        }
    }

    /** @param confirm must be true: a factory reset is never an accident */
    record FactoryReset(boolean confirm) implements MethodRequest {
        public FactoryReset {
            if (!confirm) {
                throw new IllegalArgumentException("confirm: must be true to reset the device to factory state");
            }
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.FACTORY_RESET;
        }
    }
}

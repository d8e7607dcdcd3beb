package io.fleetkit.protocol.method;

import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;

import java.util.Objects;

/** The payload of a successful (status 200) answer to one of the {@link ReferenceMethod}s. */
public sealed interface MethodResponse {
    ReferenceMethod method();

    record Reboot(int rebootingInSeconds) implements MethodResponse {
        public Reboot {
            MethodContracts.checkRange("rebootingInSeconds", rebootingInSeconds, 0, 3600);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.REBOOT;
        }
    }

    record SetTelemetryInterval(int intervalSeconds, int previousIntervalSeconds) implements MethodResponse {
        public SetTelemetryInterval {
            MethodContracts.checkRange("intervalSeconds", intervalSeconds, 1, 86_400);
            MethodContracts.checkRange("previousIntervalSeconds", previousIntervalSeconds, 1, 86_400);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.SET_TELEMETRY_INTERVAL;
        }
    }

    record Identify(int blinkingForSeconds) implements MethodResponse {
        public Identify {
            MethodContracts.checkRange("blinkingForSeconds", blinkingForSeconds, 1, 300);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.IDENTIFY;
        }
    }

    /**
     * @param rssiDbm received signal strength, -150–0
     */
    record GetDiagnostics(String firmwareVersion, String modelId, long uptimeSeconds, long freeHeapBytes,
                          int rssiDbm, ResetReason lastResetReason, int telemetryIntervalSeconds,
                          long messagesSent) implements MethodResponse {
        public GetDiagnostics {
            Objects.requireNonNull(firmwareVersion, "firmwareVersion");
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(lastResetReason, "lastResetReason");
            MethodContracts.checkRange("rssiDbm", rssiDbm, -150, 0);
            MethodContracts.checkRange("telemetryIntervalSeconds", telemetryIntervalSeconds, 1, 86_400);
            if (uptimeSeconds < 0 || freeHeapBytes < 0 || messagesSent < 0) {
                throw new IllegalArgumentException("uptimeSeconds, freeHeapBytes, messagesSent: must not be negative");
            }
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.GET_DIAGNOSTICS;
        }
    }

    record StartClaim(int awaitingButtonForSeconds) implements MethodResponse {
        public StartClaim {
            MethodContracts.checkRange("awaitingButtonForSeconds", awaitingButtonForSeconds, 10, 600);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.START_CLAIM;
        }
    }

    record FactoryReset(int resettingInSeconds) implements MethodResponse {
        public FactoryReset {
            MethodContracts.checkRange("resettingInSeconds", resettingInSeconds, 0, 3600);
        }

        @Override
        public ReferenceMethod method() {
            return ReferenceMethod.FACTORY_RESET;
        }
    }
}

package io.fleetkit.protocol.method;

import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import org.junit.jupiter.api.Test;

import static io.fleetkit.protocol.Limits.accepts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reference methods' documented ranges, at their edges, in requests and responses alike. */
class MethodLimitsTest {
    private static final String NONCE = "n".repeat(16);

    @Test
    void requests() {
        accepts("delaySeconds", 0, 3600, v -> new MethodRequest.Reboot((int) v));
        accepts("intervalSeconds", 1, 86_400, v -> new MethodRequest.SetTelemetryInterval((int) v));
        accepts("durationSeconds", 1, 300, v -> new MethodRequest.Identify((int) v));
        accepts("windowSeconds", 10, 600, v -> new MethodRequest.StartClaim(NONCE, (int) v));
        assertThatThrownBy(() -> new MethodRequest.FactoryReset(false)).hasMessageContaining("confirm");
    }

    @Test
    void responses() {
        accepts("rebootingInSeconds", 0, 3600, v -> new MethodResponse.Reboot((int) v));
        accepts("intervalSeconds", 1, 86_400, v -> new MethodResponse.SetTelemetryInterval((int) v, 60));
        accepts("previousIntervalSeconds", 1, 86_400, v -> new MethodResponse.SetTelemetryInterval(60, (int) v));
        accepts("blinkingForSeconds", 1, 300, v -> new MethodResponse.Identify((int) v));
        accepts("awaitingButtonForSeconds", 10, 600, v -> new MethodResponse.StartClaim((int) v));
        accepts("resettingInSeconds", 0, 3600, v -> new MethodResponse.FactoryReset((int) v));
        accepts("rssiDbm", -150, 0, v -> diagnostics((int) v, 60, 0, 0, 0));
        accepts("telemetryIntervalSeconds", 1, 86_400, v -> diagnostics(-60, (int) v, 0, 0, 0));
        for (long[] negative : new long[][]{{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}}) {
            assertThatThrownBy(() -> diagnostics(-60, 60, negative[0], negative[1], negative[2]))
                    .hasMessageContaining("must not be negative");
        }
    }

    @Test
    void eachResponseNamesItsMethod() {
        assertThat(new MethodResponse.Reboot(0).method()).isEqualTo(ReferenceMethod.REBOOT);
        assertThat(new MethodResponse.SetTelemetryInterval(60, 60).method()).isEqualTo(ReferenceMethod.SET_TELEMETRY_INTERVAL);
        assertThat(new MethodResponse.Identify(10).method()).isEqualTo(ReferenceMethod.IDENTIFY);
        assertThat(diagnostics(-60, 60, 0, 0, 0).method()).isEqualTo(ReferenceMethod.GET_DIAGNOSTICS);
        assertThat(new MethodResponse.StartClaim(60).method()).isEqualTo(ReferenceMethod.START_CLAIM);
        assertThat(new MethodResponse.FactoryReset(0).method()).isEqualTo(ReferenceMethod.FACTORY_RESET);
    }

    private static MethodResponse.GetDiagnostics diagnostics(int rssi, int interval, long uptime, long freeHeap, long sent) {
        return new MethodResponse.GetDiagnostics("1.4.2", "thermostat", uptime, freeHeap, rssi, ResetReason.POWER_ON, interval, sent);
    }
}

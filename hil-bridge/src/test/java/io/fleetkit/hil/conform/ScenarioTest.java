package io.fleetkit.hil.conform;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioTest {
    @Test
    void everyKindOfStepParses() {
        Scenario s = Scenario.parse("s", """
                # a comment
                wait 250ms
                expect telemetry within 3s   # trailing comment
                invoke identify {"durationSeconds": 2}
                invoke getDiagnostics ignore=/uptimeSeconds,/rssiDbm timeout=10s
                invoke reboot
                press
                """);
        assertThat(s.steps()).hasSize(6);
        assertThat(s.steps().get(0)).isEqualTo(new Scenario.Step.Wait(2, Duration.ofMillis(250)));
        assertThat(s.steps().get(1)).isEqualTo(new Scenario.Step.Expect(3, "telemetry", Duration.ofSeconds(3)));
        Scenario.Step.Invoke identify = (Scenario.Step.Invoke) s.steps().get(2);
        assertThat(identify.payload().get("durationSeconds").asInt()).isEqualTo(2);
        assertThat(identify.timeout()).isEqualTo(Duration.ofSeconds(5));
        Scenario.Step.Invoke diagnostics = (Scenario.Step.Invoke) s.steps().get(3);
        assertThat(diagnostics.ignore()).isEqualTo(Set.of("/uptimeSeconds", "/rssiDbm"));
        assertThat(diagnostics.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(((Scenario.Step.Invoke) s.steps().get(4)).payload().isNull()).isTrue();
        assertThat(s.steps().get(5)).isEqualTo(new Scenario.Step.Press(7));
    }

    @Test
    void mistakesNameTheLine() {
        assertRefused("wait soon", "s:1: 'soon' is not a time");
        assertRefused("\n\nexpect telemetry in 3s", "s:3: expected 'expect <telemetry|lifecycle|alert|presence|led> within <time>'");
        assertRefused("expect weather within 3s", "s:1: expected 'expect");
        assertRefused("invoke identify {\"durationSeconds\": }", "s:1: the payload of 'identify' is not JSON");
        assertRefused("invoke", "s:1: 'invoke' needs a method name");
        assertRefused("jump 3", "s:1: unknown step 'jump'; expected wait, expect, invoke or press");
        assertRefused("press hard", "s:1: 'press' takes nothing after it");
        assertRefused("# only a comment", "s: no steps");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> Scenario.parse("s", text)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }
}

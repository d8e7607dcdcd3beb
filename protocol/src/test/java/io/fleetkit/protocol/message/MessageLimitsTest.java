package io.fleetkit.protocol.message;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static io.fleetkit.protocol.Limits.accepts;
import static io.fleetkit.protocol.Limits.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every device message's documented limits, at their edges (the codec tests cover what lies well inside). */
class MessageLimitsTest {
    private static final Instant TS = Instant.parse("2026-12-03T12:00:00Z");
    private static final String NONCE = text('n', Presence.NONCE_MIN);

    @Test
    void sequenceNumbersOfEveryKindOfMessage() {
        accepts("seq", 0, Messages.SEQ_MAX, seq -> new Telemetry(seq, TS, Map.of("t", Reading.of(1))));
        accepts("seq", 0, Messages.SEQ_MAX, seq -> new Alert(seq, TS, "overheat", Alert.Severity.INFO, ""));
        accepts("seq", 0, Messages.SEQ_MAX, seq -> new Lifecycle(seq, TS,
                new LifecycleEvent.Boot("1.0.0", "thermostat", LifecycleEvent.ResetReason.POWER_ON)));
        accepts("seq", 0, Messages.SEQ_MAX, seq -> new Presence(seq, TS, NONCE, new byte[]{1}));
    }

    @Test
    void textLengths() {
        accepts("code", 1, Messages.NAME_MAX, n -> new Alert(1, TS, text('c', n), Alert.Severity.INFO, ""));
        assertThat(new Alert(1, TS, "c", Alert.Severity.INFO, text('d', Messages.DETAIL_MAX)).detail()).hasSize(Messages.DETAIL_MAX);
        assertThatThrownBy(() -> new Alert(1, TS, "c", Alert.Severity.INFO, text('d', Messages.DETAIL_MAX + 1))).hasMessageContaining("detail");
        accepts("firmwareVersion", 1, Messages.VERSION_MAX,
                n -> new LifecycleEvent.Boot(text('1', n), "thermostat", LifecycleEvent.ResetReason.POWER_ON));
        accepts("modelId", 1, Messages.NAME_MAX, n -> new LifecycleEvent.Boot("1.0.0", text('m', n), LifecycleEvent.ResetReason.POWER_ON));
        accepts("targetVersion", 1, Messages.VERSION_MAX,
                n -> new LifecycleEvent.FirmwareUpdate(text('2', n), LifecycleEvent.UpdateState.DOWNLOADING, 0));
        accepts("nonce", Presence.NONCE_MIN, Presence.NONCE_MAX, n -> new Presence(1, TS, text('n', n), new byte[]{1}));
        accepts("signature", 1, Presence.SIGNATURE_MAX, n -> new Presence(1, TS, NONCE, new byte[(int) Math.max(0, n)]));
    }

    @Test
    void progressIsAPercentage() {
        accepts("progressPercent", 0, 100,
                p -> new LifecycleEvent.FirmwareUpdate("2.0.0", LifecycleEvent.UpdateState.DOWNLOADING, (int) p));
    }

    @Test
    void aPresenceIsEqualByTheContentOfItsSignature() {
        Presence a = new Presence(7, TS, NONCE, new byte[]{1, 2, 3});
        Presence same = new Presence(7, TS, NONCE, new byte[]{1, 2, 3});
        assertThat(a).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(a).isNotEqualTo(new Presence(7, TS, NONCE, new byte[]{1, 2, 4}))
                .isNotEqualTo(new Presence(8, TS, NONCE, new byte[]{1, 2, 3}))
                .isNotEqualTo(new Presence(7, TS.plusSeconds(1), NONCE, new byte[]{1, 2, 3}))
                .isNotEqualTo(new Presence(7, TS, text('x', Presence.NONCE_MIN), new byte[]{1, 2, 3}));
        assertThat(a.toString()).isEqualTo("Presence[seq=7, ts=2026-12-03T12:00:00Z, nonce=" + NONCE + ", signature=3 bytes]");
        byte[] copy = a.signature();
        copy[0] = 9;
        assertThat(a.signature()).as("the record's own array is not handed out").containsExactly(1, 2, 3);
    }

    /**
     * A message built in code is one the codec reads back: the records refuse the names and versions the codec's patterns
     * refuse (before, a boot with model id {@code dtmi:…;1} was built and sent, and every processor skipped it as invalid).
     */
    @Test
    void namesAndVersionsFollowTheCodecsPatterns() {
        assertThatThrownBy(() -> new LifecycleEvent.Boot("1.0.0", "dtmi:fk:thermostat;1", LifecycleEvent.ResetReason.POWER_ON))
                .hasMessage("modelId: 'dtmi:fk:thermostat;1' does not match " + Messages.NAME_PATTERN);
        assertThatThrownBy(() -> new LifecycleEvent.Boot("1.0 beta", "thermostat", LifecycleEvent.ResetReason.POWER_ON))
                .hasMessage("firmwareVersion: '1.0 beta' does not match " + Messages.VERSION_PATTERN);
        assertThatThrownBy(() -> new LifecycleEvent.FirmwareUpdate(".2", LifecycleEvent.UpdateState.DOWNLOADING, 0))
                .hasMessage("targetVersion: '.2' does not match " + Messages.VERSION_PATTERN);
        assertThatThrownBy(() -> new Alert(1, TS, "over heat", Alert.Severity.INFO, ""))
                .hasMessage("code: 'over heat' does not match " + Alert.CODE_PATTERN);
        assertThatThrownBy(() -> new Telemetry(1, TS, Map.of("1t", Reading.of(1))))
                .hasMessage("readings name: '1t' does not match " + Messages.NAME_PATTERN);
        assertThatThrownBy(() -> new Telemetry(1, TS, Map.of(text('t', Messages.NAME_MAX + 1), Reading.of(1))))
                .hasMessageStartingWith("readings name: must be 1–64 characters");
        Map<String, Reading> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= Messages.READINGS_MAX; i++) {
            many.put("r" + i, Reading.of(i));
        }
        assertThatThrownBy(() -> new Telemetry(1, TS, many)).hasMessage("readings: telemetry carries 1–64 readings, was 65");
        many.remove("r0");
        Telemetry full = new Telemetry(1, TS, many);
        assertThat(DeviceMessageCodec.CODEC.fromJson(DeviceMessageCodec.CODEC.toJson(full))).isEqualTo(full);
        assertThatThrownBy(() -> new Telemetry(1, TS, Map.of())).hasMessage("readings: telemetry carries 1–64 readings, was 0");
    }
}

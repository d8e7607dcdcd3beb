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
}
